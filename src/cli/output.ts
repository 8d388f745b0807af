/** Writing result files whole or not at all. */
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomically(file: string, data: string): Promise<void> {
  await makeDirectory(path.dirname(path.resolve(file)));
  const tmp = `${file}.${process.pid}.partial`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/**
 * Creates `dir` and its missing parents one level at a time. (Node's `mkdir(…, { recursive })`
 * never returns for a folder under /proc; one level at a time fails with ENOENT instead.)
 */
export async function makeDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !(await isDirectory(d)); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing) {
    await mkdir(d).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
