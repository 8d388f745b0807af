/**
 * Help and mistakes in the command line, through the built CLI: `prompt-lens help` and
 * `prompt-lens <command> --help` list exactly the options each command's parser takes (with
 * their defaults), so help and parser cannot drift apart; unknown commands and options get the
 * nearest real one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParseArgsConfig } from 'node:util';
import { ANALYZE_OPTIONS, COMPARE_OPTIONS } from '../../src/cli/commands/analyze.ts';
import { OPTIONS as CONCEPTS_OPTIONS } from '../../src/cli/commands/concepts.ts';
import { OPTIONS as CHECK_OPTIONS } from '../../src/cli/commands/check.ts';
import { OPTIONS as DATASET_OPTIONS } from '../../src/cli/commands/dataset.ts';
import { OPTIONS as DEMO_OPTIONS } from '../../src/cli/commands/demo.ts';
import { OPTIONS as HEADS_OPTIONS } from '../../src/cli/commands/heads.ts';
import { OPTIONS as HISTORY_OPTIONS } from '../../src/cli/commands/history.ts';
import { OPTIONS as SPANS_OPTIONS } from '../../src/cli/commands/spans.ts';
import { OPTIONS as STATS_OPTIONS } from '../../src/cli/commands/stats.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';

const env = { PROMPT_LENS_CACHE: tempDir(), PROMPT_LENS_OFFLINE: '1' };

/** The option table each command parses with. */
const PARSERS: Record<string, NonNullable<ParseArgsConfig['options']>> = {
  analyze: ANALYZE_OPTIONS,
  compare: COMPARE_OPTIONS,
  dataset: DATASET_OPTIONS,
  stats: STATS_OPTIONS,
  spans: SPANS_OPTIONS,
  demo: DEMO_OPTIONS,
  concepts: CONCEPTS_OPTIONS,
  heads: HEADS_OPTIONS,
  check: CHECK_OPTIONS,
  history: HISTORY_OPTIONS,
};

/** Each option line of a command's help (with its wrapped continuation lines), by option name. */
function optionLines(help: string): Map<string, string> {
  const lines = new Map<string, string>();
  let current: string | undefined;
  for (const line of help.split('\n')) {
    const m = /^ {2}--([a-z][a-z-]*)\b/.exec(line);
    if (m) {
      current = m[1];
      assert.ok(!lines.has(current), `--${current} is listed once`);
      lines.set(current, line);
    } else if (current !== undefined && /^ {6,}\S/.test(line)) {
      lines.set(current, `${lines.get(current)} ${line.trim()}`);
    } else {
      current = undefined;
    }
  }
  return lines;
}

test('every command\'s --help lists exactly the options its parser takes, with their defaults', async () => {
  for (const [command, options] of Object.entries(PARSERS)) {
    const r = await runCli([command, '--help'], { env });
    assert.equal(r.code, 0, `${command} --help: ${r.stderr}`);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^prompt-lens ${command}: `));
    const listed = optionLines(r.stdout);
    assert.deepEqual([...listed.keys()].sort(), [...Object.keys(options), 'help'].sort(), `${command} --help lists the parser's options`);
    for (const [name, spec] of Object.entries(options)) {
      const value = (spec as { default?: unknown }).default;
      if (typeof value === 'string') assert.match(listed.get(name)!, new RegExp(`default ${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`), `${command} --${name}: its default ${value}`);
    }
    // The same text from `prompt-lens help COMMAND` and `-h`.
    assert.equal((await runCli(['help', command], { env })).stdout, r.stdout);
    assert.equal((await runCli([command, '-h'], { env })).stdout, r.stdout);
  }
});

test('prompt-lens help lists every command with all its options', async () => {
  const r = await runCli(['help'], { env });
  assert.equal(r.code, 0, r.stderr);
  for (const [command, options] of Object.entries(PARSERS)) {
    const block = new RegExp(`^ {2}prompt-lens ${command} .*\\n.*\\n {6}options: ((?:.*\\n {8}.*)*.*)`, 'm').exec(r.stdout);
    assert.ok(block, `${command} in the overview:\n${r.stdout}`);
    const listed = block[1].replace(/\s+/g, ' ').split(', ').map((flag) => flag.replace(/^--/, ''));
    assert.deepEqual(listed.sort(), Object.keys(options).sort(), `the overview lists ${command}'s options`);
  }
  for (const option of ['--system', '--temperature', '--top-p', '--seed', '--import', '--import-paper']) assert.ok(r.stdout.includes(`${option},`) || r.stdout.includes(`${option}\n`), option);
});

test('unknown commands and options name the nearest real one', async () => {
  const cases: Array<{ args: string[]; message: RegExp }> = [
    { args: ['analyse'], message: /^prompt-lens: unknown command "analyse"\n {2}fix: did you mean "prompt-lens analyze"\?/ },
    { args: ['help', 'statz'], message: /unknown command "statz"\n {2}fix: did you mean "prompt-lens stats"\?/ },
    { args: ['frobnicate'], message: /unknown command "frobnicate"\n {2}fix: the commands are analyze, compare, spans, stats, history, demo, dataset/ },
    { args: ['histroy'], message: /unknown command "histroy"\n {2}fix: did you mean "prompt-lens history"\?/ },
    { args: ['history', '--rve', 'HEAD'], message: /history has no option --rve\n {2}fix: did you mean --rev\?/ },
    { args: ['analyze', '--modle', 'x', '--prompt', 'hi'], message: /analyze has no option --modle\n {2}fix: did you mean --model\?/ },
    { args: ['analyze', '-model', 'x', '--prompt', 'hi'], message: /analyze has no option -model\n {2}fix: did you mean --model\?/ },
    { args: ['compare', '--base', 'x', '--tuned', 'y', '--prompt', 'hi', '--same-reponse', 'tuned'], message: /did you mean --same-response\?/ },
    { args: ['dataset', '--prompt', 'x.jsonl'], message: /dataset has no option --prompt\n {2}fix: did you mean --prompts\?/ },
    { args: ['stats', '--import-papers', 'a', 'b'], message: /did you mean --import-paper\?/ },
    { args: ['spans', '--promt', 'x'], message: /did you mean --prompt\?/ },
  ];
  for (const c of cases) {
    const r = await runCli(c.args, { env });
    assert.equal(r.code, 2, `${c.args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, c.message, c.args.join(' '));
    assert.equal(r.stderr.split('\n').filter((l) => l.length > 0).length, 2, `one message and its fix: ${r.stderr}`);
    assert.equal(r.stdout, '');
  }
});
