/**
 * The detected instruction spans of one prompt, for rule development ("\n" in the argument is a newline):
 *
 *   node --import tsx tools/spans/try.ts 'Summarize this for our newsletter.\n\nThe canteen closes in June.'
 */
import { detectInstructionSpans } from '../../src/engine/spans/index.ts';

const prompt = (process.argv[2] ?? '').replace(/\\n/g, '\n');
console.log(JSON.stringify(detectInstructionSpans(prompt).map((s) => s.text)));
