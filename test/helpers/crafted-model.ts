/** A copy of a test model in a temporary folder, with its tokenizer files edited. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir, testModel } from './paths.ts';

/** Chat templates that must not hang, crash or flood the engine: loops, huge strings and lists, errors. */
export const TEMPLATES = {
  loop: '{% for i in range(100000000) %}x{% endfor %}',
  /** Loops for minutes in little memory (the loop above also fills 256 MB within a few seconds). */
  spin: '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}',
  nestedLoops: '{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}',
  hugeString: "{% set ns = namespace(s='x') %}{% for i in range(24) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}",
  hugeRange: '{{ range(300000000) | length }}',
  hugeList: "{% set ns = namespace(a=['xxxxxxxx']) %}{% for i in range(40) %}{% set ns.a = ns.a + ns.a %}{% endfor %}",
  syntaxError: "{% for message in messages %}{{ message['content'] }",
  raises: "{{ raise_exception('Only user and assistant roles are supported!') }}",
};

/** tiny-qwen2 has a ChatML chat template, applied with template "auto". */
export function craftedModel(edit: (folder: string) => void, base = 'tiny-qwen2'): string {
  const folder = path.join(tempDir('prompt-lens-model-'), base);
  cpSync(testModel(base), folder, { recursive: true });
  edit(folder);
  return folder;
}

/** Edit: replace the chat template (a string, or the list of named templates transformers allows). */
export function withChatTemplate(template: unknown): (folder: string) => void {
  return (folder) => {
    const file = path.join(folder, 'tokenizer_config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    config.chat_template = template;
    writeFileSync(file, JSON.stringify(config, null, 2));
  };
}

/** Edit: replace a file's content. */
export function withFile(name: string, content: (original: string) => string): (folder: string) => void {
  return (folder) => {
    const file = path.join(folder, name);
    writeFileSync(file, content(readFileSync(file, 'utf8')));
  };
}
