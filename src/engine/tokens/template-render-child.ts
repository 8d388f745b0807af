/**
 * The process that renders chat templates (forked by template-renderer.ts; bundled as
 * dist/template-render.js). A template is a program from a model's files: it may loop for ever
 * or build strings until the heap runs out. Here it can do neither harm: the parent kills this
 * process after a time limit, and its heap limit ends only this process.
 */
import { Template } from '@huggingface/jinja';
import type { RenderReply, RenderRequest } from './template-renderer.ts';

const compiled = new Map<string, Template>();

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

process.on('message', (req: RenderRequest) => process.send!(render(req)));
// The parent is gone (it exited or was killed): nothing is left to render for.
process.on('disconnect', () => process.exit(0));
