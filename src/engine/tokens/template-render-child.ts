/**
 * The process that renders chat templates (forked by template-renderer.ts; bundled as
 * dist/template-render.js). A template is a program from a model's files: it may loop for ever
 * or build strings until the heap runs out. Here it can do neither harm: the parent kills this
 * process after a time limit, and its heap limit ends only this process.
 */
import { Worker } from 'node:worker_threads';
import { Template } from '@huggingface/jinja';
import type { RenderReply, RenderRequest } from './template-renderer.ts';

const compiled = new Map<string, Template>();

/**
 * A render blocks this thread, so nothing here can notice that the parent is gone (killed while
 * a template loops): a watchdog thread kills this process when a render outlives its deadline
 * (the parent's time limit plus a second; the parent normally kills it first).
 */
const watchdog = new Worker(
  `const { parentPort } = require('node:worker_threads');
  let timer;
  parentPort.on('message', (ms) => {
    clearTimeout(timer);
    if (ms > 0) timer = setTimeout(() => process.kill(process.pid, 'SIGKILL'), ms);
  });`,
  { eval: true },
);
watchdog.unref();
const WATCHDOG_GRACE_MS = 1000;

function render(req: RenderRequest): RenderReply {
  try {
    let template = compiled.get(req.template);
    if (!template) {
      template = new Template(req.template);
      compiled.set(req.template, template);
    }
    const outputs: string[] = [];
    for (const context of req.contexts) {
      const out = template.render(context);
      if (out.length > req.maxChars) return { id: req.id, tooLong: true, length: out.length };
      outputs.push(out);
    }
    return { id: req.id, outputs };
  } catch (error) {
    // V8's own limit on string length, reached before the heap limit.
    if (error instanceof RangeError && /Invalid string length/.test(error.message)) return { id: req.id, tooLong: true };
    return { id: req.id, error: error instanceof Error ? error.message : String(error) };
  }
}

process.on('message', (req: RenderRequest) => {
  watchdog.postMessage(req.timeoutMs + WATCHDOG_GRACE_MS);
  const reply = render(req);
  watchdog.postMessage(0);
  process.send!(reply);
});
// The parent is gone (it exited or was killed): nothing is left to render for.
process.on('disconnect', () => process.exit(0));
