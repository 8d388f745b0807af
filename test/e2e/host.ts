/**
 * A real VS Code host for the end-to-end suite: code-server 4.100.3 (installed by setup.sh into
 * .cache/code-server) with this repository loaded as an extension, driven by playwright-core in
 * Debian's Chromium. Everything lives in a fresh temporary folder (HOME, user data, extensions,
 * workspace) and every process started here is stopped by `close()`.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Frame, type FrameLocator, type Locator } from 'playwright-core';

export const REPO = path.resolve(__dirname, '..', '..');
export const CODE_SERVER = path.join(REPO, '.cache', 'code-server', 'node_modules', '.bin', 'code-server');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface HostOptions {
  /** Files of the workspace, by relative path. */
  files: Record<string, string>;
  /** User settings. */
  userSettings?: Record<string, unknown>;
  /** User keybindings (keybindings.json entries). */
  keybindings?: unknown[];
  /** Extra environment of code-server (and so of the extension host and the engine worker). */
  env?: Record<string, string>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export class Host {
  readonly root: string;
  readonly workspace: string;
  readonly userData: string;
  private server: ChildProcess | undefined;
  private context: BrowserContext | undefined;
  page!: Page;
  port = 0;
  serverLog = '';

  constructor(readonly opts: HostOptions) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'prompt-lens-e2e-'));
    this.workspace = path.join(this.root, 'workspace');
    this.userData = path.join(this.root, 'user-data');
  }

  async start(): Promise<void> {
    const home = path.join(this.root, 'home');
    const ext = path.join(this.root, 'extensions');
    for (const d of [home, ext, this.workspace, path.join(this.userData, 'User')]) fs.mkdirSync(d, { recursive: true });
    for (const [rel, text] of Object.entries(this.opts.files)) {
      fs.mkdirSync(path.dirname(path.join(this.workspace, rel)), { recursive: true });
      fs.writeFileSync(path.join(this.workspace, rel), text);
    }
    fs.writeFileSync(path.join(this.userData, 'User', 'settings.json'), JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'security.workspace.trust.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'editor.hover.delay': 200,
      'editor.minimap.enabled': false,
      'workbench.colorTheme': 'Default Dark Modern',
      ...this.opts.userSettings,
    }, null, 2));
    fs.writeFileSync(path.join(this.userData, 'User', 'keybindings.json'), JSON.stringify(this.opts.keybindings ?? [], null, 2));
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    const extDir = path.join(ext, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
    const vsix = process.env.PROMPT_LENS_E2E_VSIX;
    if (vsix) {
      // The packaged extension, unpacked as VS Code installs it.
      const tmp = path.join(this.root, 'vsix');
      execFileSync('unzip', ['-q', path.resolve(vsix), 'extension/*', '-d', tmp]);
      fs.renameSync(path.join(tmp, 'extension'), extDir);
    } else {
      // The repository itself is the extension (dist/, media/, models/, node_modules/).
      fs.symlinkSync(REPO, extDir, 'dir');
    }
    fs.writeFileSync(path.join(this.root, 'config.yaml'), 'auth: none\ncert: false\n');
    await this.launch();
  }

  /**
   * Stops code-server and the browser as a user quitting would (SIGTERM, so the server saves its
   * state), then starts both again over the same user data, extensions and workspace.
   */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Starts code-server (a new port) and the browser, and opens the workspace. */
  private async launch(): Promise<void> {
    const home = path.join(this.root, 'home');
    const ext = path.join(this.root, 'extensions');
    const cfg = path.join(this.root, 'config.yaml');
    // A restart keeps the port: the browser keeps its storage per origin, as a user's would.
    if (this.port === 0) this.port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), XDG_CACHE_HOME: path.join(home, '.cache'), PROMPT_LENS_OFFLINE: '1', ...this.opts.env };
    delete env.VSCODE_IPC_HOOK_CLI;
    this.server = spawn(CODE_SERVER, [
      '--auth', 'none', '--bind-addr', `127.0.0.1:${this.port}`, '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--config', cfg, '--user-data-dir', this.userData, '--extensions-dir', ext, this.workspace,
    ], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }); // own process group: close() stops all of it
    this.server.stdout!.on('data', (d: Buffer) => { this.serverLog += d.toString(); });
    this.server.stderr!.on('data', (d: Buffer) => { this.serverLog += d.toString(); });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${this.port}/healthz`);
        if (r.ok) break;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error(`code-server did not start:\n${this.serverLog}`);
      if (this.server.exitCode !== null) throw new Error(`code-server exited (${this.server.exitCode}):\n${this.serverLog}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    this.context = await chromium.launchPersistentContext(path.join(this.root, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    await this.page.goto(`http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspace)}`);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  }

  /** Run a command from the command palette by its title. */
  async command(title: string): Promise<void> {
    const p = this.page;
    const input = p.locator('.quick-input-widget input');
    // F1 from inside a webview that is still loading can be lost: press again until the palette shows.
    for (let attempt = 1; ; attempt++) {
      await p.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: 5_000 });
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
    await input.fill(`>${title}`);
    const row = p.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 20_000 });
    await p.keyboard.press('Enter');
  }

  /** The editor tab of a file (by its name; never the panel's tab, whose title mentions the file). */
  fileTab(name: string): Locator {
    return this.page.locator(`.tab[data-resource-name="${name}"]`).first();
  }

  async openFile(rel: string): Promise<void> {
    const p = this.page;
    await p.keyboard.press('Control+P');
    const input = p.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(rel);
    // Click the file's own row: Enter would take the best fuzzy match, which may be another file.
    const row = p.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(rel) }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await p.locator(`.editor-group-container.active .tab.active[data-resource-name="${path.basename(rel)}"]`).first().waitFor({ timeout: 20_000 });
    await p.locator('.monaco-editor .view-lines').first().waitFor();
  }

  /**
   * Change the workspace settings (.vscode/settings.json; VS Code picks the file up at once, which
   * it does not do for the user settings file here). A value of null removes the key.
   */
  setWorkspaceSettings(patch: Record<string, unknown>): void {
    const file = path.join(this.workspace, '.vscode', 'settings.json');
    let cur: Record<string, unknown> = {};
    try { cur = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>; } catch { /* none yet */ }
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete cur[k];
      else cur[k] = v;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(cur, null, 2));
  }

  userSettings(): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(path.join(this.userData, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
  }

  /** Another browser tab in the same profile (e.g. to open an exported report). */
  async newPage(): Promise<Page> {
    if (!this.context) throw new Error('host not started');
    return this.context.newPage();
  }

  /** The comparison panel's inner document as a Frame (for evaluate). */
  async webviewFrame(): Promise<Frame> {
    const outer = await (await this.page.locator('iframe.webview.ready').last().elementHandle())?.contentFrame();
    const inner = await (await outer?.locator('iframe#active-frame').elementHandle())?.contentFrame();
    if (!inner) throw new Error('the comparison panel is not shown');
    return inner;
  }

  /** Click a button of the modal dialog (e.g. the download consent). */
  async dialogButton(text: string): Promise<void> {
    await this.page.locator('.monaco-dialog-box .dialog-buttons a.monaco-button', { hasText: text }).first().click();
  }

  /** The comparison panel's document (inside the webview's two iframes). */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
  }

  async screenshot(name: string): Promise<string> {
    const dir = path.join(REPO, 'test-results', 'e2e');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** The extension's global storage (result cache) and its log file. */
  globalStorage(): string {
    return path.join(this.userData, 'User', 'globalStorage', 'prompt-lens.prompt-lens');
  }

  extensionLog(): string {
    const found: string[] = [];
    const walk = (d: string) => {
      let ents: fs.Dirent[];
      try { ents = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
      for (const e of ents) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.log') && /Prompt Lens/.test(e.name)) found.push(p);
      }
    };
    walk(path.join(this.userData, 'logs'));
    return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  }

  async close(): Promise<void> {
    await this.stop();
    if (!process.env.PROMPT_LENS_E2E_KEEP) fs.rmSync(this.root, { recursive: true, force: true });
  }

  private async stop(): Promise<void> {
    // Leave the workbench as closing its tab would, so it runs its shutdown (and saves its state).
    try { await this.page?.goto('about:blank', { timeout: 15_000 }); } catch { /* already gone */ }
    try { await this.context?.close(); } catch { /* already gone */ }
    const srv = this.server;
    if (srv && srv.exitCode === null) {
      const group = (sig: NodeJS.Signals) => { try { process.kill(-srv.pid!, sig); } catch { /* gone */ } };
      group('SIGTERM');
      await Promise.race([new Promise((r) => srv.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
      group('SIGKILL');
    }
  }
}
