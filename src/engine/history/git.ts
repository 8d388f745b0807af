/**
 * A prompt file's text at a git revision, read with `git show REV:path` (git spawned, no shell).
 * Refuses, with one message naming the cause and the fix: a file outside a git repository, an
 * unknown revision, and a file absent at that revision.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { EngineError } from '../errors.ts';

/** A revision as the user wrote it: refused when it could be read as an option of git. */
function checkRevision(rev: string): void {
  if (rev.length === 0 || rev.startsWith('-') || /[\s\0]/.test(rev)) {
    throw new EngineError('bad-argument', `"${rev}" is not a git revision`, 'give a commit, branch or tag, e.g. HEAD~1');
  }
}

/** Runs git in `cwd`; resolves stdout, or rejects with git's own message on stderr. */
function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new EngineError('io', 'git was not found on this machine', 'install git, or put it on the PATH'));
        } else {
          reject(new GitFailure(stderr.trim() || error.message));
        }
        return;
      }
      resolve(stdout);
    });
  });
}

class GitFailure extends Error {}

/** Where `file` sits in its repository: the repository's top folder and the path git knows it by. */
export async function locateInRepository(file: string): Promise<{ root: string; relative: string }> {
  const dir = path.dirname(path.resolve(file));
  let root: string;
  try {
    root = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError('bad-argument', `${file} is not inside a git repository, so it has no earlier versions`, 'commit the prompt file in a git repository first (git init; git add; git commit), or compare two prompts with analyze');
  }
  // git's own spelling of the path (it resolves symlinked folders the same way as the root).
  const relative = (await git(dir, ['ls-files', '--full-name', '--', path.basename(file)])).split('\n')[0] ?? '';
  return { root, relative: relative !== '' ? relative : path.relative(root, path.resolve(file)).split(path.sep).join('/') };
}

/** The commit a revision names, or an error saying it is unknown. */
export async function resolveRevision(root: string, rev: string): Promise<string> {
  checkRevision(rev);
  try {
    return (await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])).trim();
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError('bad-argument', `"${rev}" is not a revision of the repository at ${root}`, 'give a commit, branch or tag that exists there (git log --oneline -- FILE lists the commits of a file)');
  }
}

/** The text of `relative` at commit `commit`; an error when the file did not exist there. */
export async function readAtRevision(root: string, commit: string, relative: string, rev = commit): Promise<string> {
  try {
    return await git(root, ['show', `${commit}:${relative}`]);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError('bad-argument', `${relative} does not exist at revision ${rev}`, `give a revision where the file exists (git log --oneline -- ${relative} lists them)`);
  }
}

/** The commits that changed `relative`, newest first (at most `max`). */
export async function fileCommits(root: string, relative: string, max: number): Promise<string[]> {
  const out = await git(root, ['log', `-n${max}`, '--format=%H', '--', relative]).catch((e: unknown) => {
    if (e instanceof EngineError) throw e;
    return '';
  });
  return out.split('\n').filter((l) => l.length > 0);
}
