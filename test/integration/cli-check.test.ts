/**
 * `prompt-lens check` through the built CLI on the bundled demo pair: the sample config
 * (examples/prompt-lens.config.json) passes, a failed assertion exits 1 and is a JUnit
 * <failure>, the second run reads its analyses from the cache, and a wrong call or config
 * exits 2 with one message naming the place, writing nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { repoRoot, tempDir } from '../helpers/paths.ts';

const env = { PROMPT_LENS_CACHE: tempDir(), PROMPT_LENS_OFFLINE: '1' };
const sample = path.join(repoRoot, 'examples/prompt-lens.config.json');
const examples = path.join(repoRoot, 'examples');

/** The sample config, loosely typed: the tests break it on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Config = Record<string, any>;

/** The sample config with its paths made absolute and `change` applied, written to a temporary folder. */
function configLike(change: (config: Config) => void): string {
  const config = JSON.parse(readFileSync(sample, 'utf8'));
  delete config.$schema;
  for (const role of ['base', 'tuned']) config.models[role] = path.resolve(examples, config.models[role]);
  for (const p of config.prompts) p.file = path.resolve(examples, p.file);
  change(config);
  const file = path.join(tempDir(), 'prompt-lens.config.json');
  writeFileSync(file, JSON.stringify(config, null, 1));
  return file;
}

test('the sample config passes with the demo pair, writes JUnit XML, and a rerun reads the cache', async () => {
  const out = tempDir();
  const junit = path.join(out, 'check.xml');
  const html = path.join(out, 'check.html');
  const r = await runCli(['check', '--junit', junit, '--html', html], { env, cwd: examples });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^prompt +model +assertion +actual +expected +result$/m);
  assert.match(r.stdout, /reverse\.prompt +tuned +instruction score +[\d.]+ +>= 0\.5 +pass/);
  assert.match(r.stdout, /tuned − base +instruction score shift/);
  assert.match(r.stdout, /all 4 assertions passed/);
  assert.match(r.stderr, /analyses: 2 made, 0 from the cache/);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="prompt-lens check" tests="4" failures="0" errors="0"/);
  assert.equal(xml.match(/<testcase /g)?.length, 4);
  assert.doesNotMatch(xml, /<failure/);
  assert.match(readFileSync(html, 'utf8'), /all 4 assertions passed/);

  const again = await runCli(['check', '--config', sample], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /analyses: 0 made, 2 from the cache/);
  assert.equal(again.stdout, r.stdout, 'the cached analyses give the same results');
});

test('a failed assertion exits 1, names why, and is a <failure> in the JUnit XML', async () => {
  const config = configLike((c) => {
    c.prompts[0].assertions[0].min = 1000;
    c.prompts[0].assertions.push({ kind: 'phrase', phrase: 'reverse', maxRank: 1 });
  });
  const junit = path.join(tempDir(), 'check.xml');
  const r = await runCli(['check', '--config', config, '--junit', junit], { env });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /instruction score +[\d.]+ +>= 1000 +FAIL/);
  assert.match(r.stdout, /2 of 5 assertions failed:/);
  assert.match(r.stdout, /tuned: instruction score is [\d.]+, under the minimum 1000/);
  assert.match(r.stdout, /the phrase "reverse" ranks \d+, below the top 1/);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /tests="5" failures="2"/);
  assert.equal(xml.match(/<failure message="[^"]+" type="assertion">/g)?.length, 2);
  assert.match(xml, /<failure message="instruction score is [\d.]+, under the minimum 1000"/);
});

test('a wrong call or config exits 2 with one message naming the place, and writes nothing', async () => {
  const out = tempDir();
  const junit = path.join(out, 'check.xml');
  const cases: Array<{ args: string[]; message: RegExp }> = [
    { args: ['--junt', junit], message: /check has no option --junt\n {2}fix: did you mean --junit\?/ },
    { args: ['--config', path.join(out, 'missing.json')], message: /no check configuration at .*missing\.json/ },
    { args: ['--config', configLike((c) => (c.prompts[0].assertions[1].kind = 'phrse'))], message: /: \/prompts\/0\/assertions\/1\/kind must be one of "instruction-score", "phrase", "shift", "special-share"/ },
    { args: ['--config', configLike((c) => delete c.prompts[0].assertions[0].min)], message: /: \/prompts\/0\/assertions\/0 needs the property "min"/ },
    { args: ['--config', configLike((c) => (c.settings.metod = 'occlusion'))], message: /: \/settings has an unknown property "metod"/ },
    { args: ['--config', configLike((c) => (c.prompts[0].assertions[1].phrase = 'backwards'))], message: /: \/prompts\/0\/assertions\/1\/phrase "backwards" does not occur in .*reverse\.prompt/ },
    { args: ['--config', configLike((c) => (c.prompts[0].instructions = ['Reverse it']))], message: /: \/prompts\/0\/instructions\/0 "Reverse it" does not occur/ },
    { args: ['--config', configLike((c) => (c.models.tuned = '../models/demo-missing'))], message: /: \/models\/tuned "\.\.\/models\/demo-missing" is neither a folder \(.*\) nor a Hub id/ },
    { args: ['--config', configLike((c) => delete c.models.base)], message: /: \/prompts\/0\/assertions\/2 reads the base model, but "models" names no base/ },
    { args: ['--config', configLike((c) => (c.prompts[0].file = 'nowhere.prompt'))], message: /: \/prompts\/0\/file names nowhere\.prompt, which cannot be read \(ENOENT/ },
  ];
  const broken = path.join(out, 'broken.json');
  writeFileSync(broken, '{ "models": ');
  cases.push({ args: ['--config', broken], message: /broken\.json is not valid JSON/ });
  for (const { args, message } of cases) {
    const r = await runCli(['check', ...args, '--junit', junit], { env });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stdout, '');
    assert.equal(existsSync(junit), false, 'no JUnit file');
  }
});
