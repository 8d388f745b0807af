/** `prompt-lens`: the command-line face of the engine. */
import { showControls } from '../engine/report/visible-controls.ts';
import { TOOL_VERSION } from '../engine/version.ts';
import { runAnalyze, runCompare } from './commands/analyze.ts';
import { commandHelp, overview } from './help.ts';
import { nearest } from './nearest.ts';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  analyze: async () => runAnalyze,
  compare: async () => runCompare,
  spans: async () => (await import('./commands/spans.ts')).run,
  stats: async () => (await import('./commands/stats.ts')).run,
  history: async () => (await import('./commands/history.ts')).run,
  demo: async () => (await import('./commands/demo.ts')).run,
  dataset: async () => (await import('./commands/dataset.ts')).run,
  concepts: async () => (await import('./commands/concepts.ts')).run,
  heads: async () => (await import('./commands/heads.ts')).run,
  check: async () => (await import('./commands/check.ts')).run,
};

const isHelp = (arg: string) => arg === '--help' || arg === '-h';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || isHelp(name)) {
    // `prompt-lens help analyze` is `prompt-lens analyze --help`.
    if (name === 'help' && rest[0] !== undefined) return main([rest[0], '--help']);
    process.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    const suggestion = nearest(name.replace(/^-+/, ''), Object.keys(COMMANDS));
    const fix = suggestion !== undefined ? `did you mean "prompt-lens ${suggestion}"?` : `the commands are ${Object.keys(COMMANDS).join(', ')}`;
    process.stderr.write(showControls(`prompt-lens: unknown command "${name}"\n  fix: ${fix} ("prompt-lens help" shows them all)`) + '\n');
    return 2;
  }
  if (rest.some(isHelp)) {
    process.stdout.write(commandHelp(name));
    return 0;
  }
  return (await load())(rest);
}

main(process.argv.slice(2)).then((code) => process.exit(code));
