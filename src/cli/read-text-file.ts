/** Reading a text file the user named: one message when it is missing, unreadable or binary. */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { describeFileError } from './file-errors.ts';
import { UsageError } from './run-guard.ts';

/** The text of `file`, given with `option` (e.g. "--prompt-file"). */
export function readTextFile(file: string, option: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UsageError(`${option}: ${describeFileError(error, file)}`, `check the path (a relative one starts from ${process.cwd()})`);
  }
  // Text has no NUL bytes and is valid UTF-8; an image, an archive or a UTF-16 file is not.
  if (bytes.includes(0) || !isUtf8(bytes)) throw new UsageError(`${option} ${file} is a binary file, not text`, `give a text file (UTF-8) with ${option}`);
  return bytes.toString('utf8');
}
