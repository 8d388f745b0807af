/** Writing result files whole or not at all. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomically(file: string, data: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.partial`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
