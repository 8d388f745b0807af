import { detectInstructionSpans } from '../../src/engine/spans/index.ts';
const p = process.argv[2].replace(/\\n/g, '\n');
console.log(JSON.stringify(detectInstructionSpans(p).map((s) => s.text)));
