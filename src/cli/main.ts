/** `prompt-lens`: the command-line face of the engine. */
import { TOOL_VERSION } from '../engine/version.ts';
import { runAnalyze, runCompare } from './commands/analyze.ts';

const USAGE = `prompt-lens ${TOOL_VERSION}: which prompt words a language model relies on

  prompt-lens analyze --model M (--prompt TEXT | --prompt-file F) [--response TEXT | --response-file F]
      [--method gradient|occlusion] [--template none|auto] [--max-new-tokens 64] [--levels 10]
      [--threshold 0] [--p 4] [--instruction START:END ...] [--granularity token|word]
      [--dtype auto|fp32|fp16|q8|q4|q4f16] [--precision auto|float64|float32] [--json OUT] [--html OUT]
  prompt-lens compare --base M1 --tuned M2 (same options) [--same-response none|tuned|base]
  prompt-lens dataset --base M1 --tuned M2 --prompts FILE.jsonl --out DIR [--use-response] (analysis options)
  prompt-lens spans (--prompt TEXT | --prompt-file F | --prompts FILE.jsonl) [--json OUT]
  prompt-lens stats DIR [--levels 10] [--threshold 7] [--p 4] [--out DIR]
  prompt-lens demo [--out prompt-lens-demo.html] [--method occlusion|gradient] [--per-task 1]
  prompt-lens concepts (--model M | --base M1 --tuned M2) [--layers all|a-b] [--components 300] [--top-words 50]
      [--subspace 20] [--vocabulary FILE] [--dtype auto] [--json OUT] [--html OUT]
  prompt-lens heads (--model M | --base M1 --tuned M2) [--layers all|a-b] [--top-words 100] [--vocabulary FILE]
      [--dtype auto] [--json OUT] [--html OUT]

M is a local folder in the Hugging Face ONNX layout or a Hub id (org/name).
`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  analyze: async () => runAnalyze,
  compare: async () => runCompare,
  spans: async () => (await import('./commands/spans.ts')).run,
  stats: async () => (await import('./commands/stats.ts')).run,
  demo: async () => (await import('./commands/demo.ts')).run,
  dataset: async () => (await import('./commands/dataset.ts')).run,
  concepts: async () => (await import('./commands/concepts.ts')).run,
  heads: async () => (await import('./commands/heads.ts')).run,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`prompt-lens: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return (await load())(rest);
}

main(process.argv.slice(2)).then((code) => process.exit(code));
