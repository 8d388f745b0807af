/**
 * The process that runs the original graph for the parity check (forked by parity.ts; bundled as
 * dist/parity-probe.js): the original model's session and weights live and die here, so they
 * never add to the memory peak of the process that prepares the graph and attributes with it.
 */
import { originalLogits, type ParityReply, type ParityRequest } from './parity.ts';

process.once('message', (request: ParityRequest) => {
  originalLogits(request.sourceFile, request.meta, request.probe).then(
    (result) => send({ ...result, peakRssBytes: process.resourceUsage().maxRSS * 1024 }),
    (error: unknown) => {
      const { name, message, code, hint } = error as { name?: string; message?: string; code?: string; hint?: string };
      send({ error: { name: name ?? 'Error', message: message ?? String(error), code, hint } });
    },
  );
});
// The parent is gone: nothing is left to check for.
process.on('disconnect', () => process.exit(0));

function send(reply: ParityReply): void {
  process.send!(reply, () => process.exit(0));
}
