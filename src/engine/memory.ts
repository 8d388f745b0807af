/**
 * Returning the memory of large buffers as soon as they are garbage. V8 collects an ArrayBuffer
 * only when its heap asks for a collection, and onnxruntime's native allocations never do: the
 * parsed graph file of a preparation (as large as the weights) stayed resident through the whole
 * first analysis (the bench's session load peaked at 1x the weight bytes above what it needed).
 * Node exposes no collection without a flag, so the flag is set for a fresh context's `gc`.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | undefined;

/** Collects garbage now, twice with a turn of the event loop between (the second frees what the first finalized). */
export async function releaseGarbage(): Promise<void> {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
  await new Promise((resolve) => setImmediate(resolve));
  collect();
}
