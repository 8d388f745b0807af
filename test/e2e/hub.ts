/**
 * A local stand-in for the Hugging Face Hub: serves model folders at the Hub's file URLs,
 * `/{org}/{name}/resolve/{revision}/{file}` (what the engine and transformers.js ask for, with
 * `Range: bytes=a-b` answered by 206 as the Hub does), records every request, and can play
 * unreachable (connections are dropped).
 */
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';

export class MockHub {
  /** Request paths, in order. */
  readonly requests: string[] = [];
  /** When false, every connection is dropped without an answer. */
  up = true;
  private server: http.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  /** @param repos Hub id → local folder. */
  constructor(private readonly repos: Record<string, string>) {}

  async start(): Promise<string> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  }

  /** Requests for files of `id`. */
  filesOf(id: string): string[] {
    const prefix = `/${id}/resolve/`;
    return this.requests.filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length).replace(/^[^/]+\//, ''));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (!this.up) { req.socket.destroy(); return; }
    this.requests.push(url);
    const m = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(url);
    const folder = m ? this.repos[m[1]] : undefined;
    const file = folder && m ? path.resolve(folder, m[2]) : undefined;
    if (!folder || !file || !file.startsWith(path.resolve(folder) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
      return;
    }
    const size = fs.statSync(file).size;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(size - 1, range[2] ? Number(range[2]) : size - 1);
      res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}` });
      fs.createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    fs.createReadStream(file).pipe(res);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
