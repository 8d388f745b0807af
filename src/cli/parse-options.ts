/**
 * util.parseArgs with its errors turned into one-line usage errors that name the command, the
 * option and the fix (Node's own text suggests "--" for positionals, which no command wants); a
 * mistyped option gets the nearest real one ("did you mean --model?"). Every command parses its
 * options here.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { nearest } from './nearest.ts';
import { UsageError } from './run-guard.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

export function parseOptions(command: string, argv: string[], options: Options, allowPositionals = false): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true }) as { values: Values; positionals: string[] };
  } catch (error) {
    throw optionError(command, options, error, argv);
  }
}

function optionError(command: string, options: Options, error: unknown, argv: string[] = []): UsageError {
  const { code, message } = error as { code?: string; message?: string };
  const text = String(message ?? error);
  let quoted = /'([^']*)'/.exec(text)?.[1] ?? '';
  // "-model" reaches Node as the short options -m -o -d …: name what was typed.
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /^-[^-]$/.test(quoted)) quoted = argv.find((a) => a.startsWith(quoted) && !a.startsWith('--')) ?? quoted;
  const names = Object.keys(options).map((name) => `--${name}`);
  // A short list is spelled out; a long one is in the usage text.
  const known = names.length <= 8 ? `${command} takes ${names.join(', ')}` : `"prompt-lens ${command} --help" lists its options`;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const suggestion = nearest(quoted.replace(/^-+/, '').replace(/=.*$/, ''), Object.keys(options));
      if (suggestion !== undefined) return new UsageError(`${command} has no option ${quoted}`, `did you mean --${suggestion}? (${known})`);
      return new UsageError(`${command} has no option ${quoted}`, names.length <= 8 ? `leave it out; ${known}` : `leave it out or correct its spelling; ${known}`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`${command} takes no argument "${quoted}"`, `every value follows its option (--name VALUE); ${known}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = /^(--?[\w-]+)/.exec(quoted)?.[1] ?? quoted;
      if (/does not take an argument/.test(text)) return new UsageError(`${name} is a switch and takes no value`, `write ${name} alone`);
      if (/ambiguous/.test(text)) return new UsageError(`${name} is followed by another option, not by its value`, `give ${name} a value (${name}=VALUE when the value starts with "-")`);
      return new UsageError(`${name} needs a value`, `write ${name} VALUE`);
    }
    default:
      return new UsageError(text.split('\n')[0]);
  }
}
