/**
 * The two texts "Compare with Previous Version" compares, read through the built-in Git
 * extension's API (vscode.git, getAPI(1): repository.show(ref, path), repository.log) when it is
 * there and knows the file's repository, else by spawning git (engine/history/git.ts).
 * - From the editor title: the file as it is now (the editor's text) against its last committed
 *   version, or, when the two are the same, against the commit before that change.
 * - From a Timeline item of git: that commit against the one before it (previousRef); the
 *   Timeline's "Uncommitted Changes" and "Staged Changes" items mean the editor's text.
 */
import * as vscode from 'vscode';
import path from 'node:path';
import { EngineError } from '../../engine/errors.ts';
import { fileCommits, locateInRepository, readAtRevision, resolveRevision } from '../../engine/history/git.ts';

export interface VersionText {
  /** "HEAD", "working copy", or a short commit. */
  label: string;
  commit?: string;
  text: string;
}

/** What a git Timeline item carries (the Git extension's GitTimelineItem). */
export interface TimelineRefs {
  ref: string;
  previousRef: string;
}

/** The parts of the Git extension's API (extensions/git/src/api/git.d.ts) used here. */
interface GitRepository {
  show(ref: string, path: string): Promise<string>;
  log(options?: { maxEntries?: number; path?: string }): Promise<Array<{ hash: string }>>;
}
interface GitApi {
  getRepository(uri: vscode.Uri): GitRepository | null;
}

/** Reads a file's versions: by the Git extension, or by git itself. */
interface Reader {
  show(ref: string): Promise<string>;
  commits(max: number): Promise<string[]>;
  /** The commit a ref names (for the label). */
  resolve(ref: string): Promise<string>;
}

async function gitExtensionApi(): Promise<GitApi | undefined> {
  const ext = vscode.extensions.getExtension<{ enabled: boolean; getAPI(version: 1): GitApi }>('vscode.git');
  if (!ext) return undefined;
  try {
    const exports = ext.isActive ? ext.exports : await ext.activate();
    return exports?.enabled ? exports.getAPI(1) : undefined;
  } catch {
    return undefined;
  }
}

async function readerFor(file: string): Promise<{ reader: Reader; via: 'vscode.git' | 'git' }> {
  const { root, relative } = await locateInRepository(file);
  const spawned: Reader = {
    show: async (ref) => readAtRevision(root, await resolveRevision(root, ref), relative, ref),
    commits: (max) => fileCommits(root, relative, max),
    resolve: (ref) => resolveRevision(root, ref),
  };
  const repo = (await gitExtensionApi())?.getRepository(vscode.Uri.file(file));
  if (!repo) return { reader: spawned, via: 'git' };
  return {
    via: 'vscode.git',
    reader: {
      // The API's messages are git's; the refusals (unknown revision, file absent) are the engine's.
      show: async (ref) => {
        const commit = await resolveRevision(root, ref);
        try {
          return await repo.show(commit, file);
        } catch {
          return readAtRevision(root, commit, relative, ref);
        }
      },
      commits: async (max) => (await repo.log({ maxEntries: max, path: file })).map((c) => c.hash),
      resolve: spawned.resolve,
    },
  };
}

const WORKING = new Set(['~', '']);

/** The earlier and the later text to compare, and which way git was read. */
export async function readVersions(file: string, current: string, timeline?: TimelineRefs): Promise<{ before: VersionText; after: VersionText; via: string }> {
  const { reader, via } = await readerFor(file);
  const at = async (ref: string, label = ref): Promise<VersionText> => {
    const commit = await reader.resolve(ref);
    return { label: label === commit ? commit.slice(0, 7) : label, commit, text: await reader.show(commit) };
  };
  if (timeline) {
    const after = WORKING.has(timeline.ref) ? { label: 'working copy', text: current } : await at(timeline.ref);
    return { before: await at(timeline.previousRef), after, via };
  }
  const commits = await reader.commits(2);
  if (commits.length === 0) throw new EngineError('bad-argument', `${path.basename(file)} has no committed version yet`, 'commit it (git add; git commit), then compare your later edits with it');
  const head = await at(commits[0], 'last commit');
  if (head.text !== current) return { before: head, after: { label: 'working copy', text: current }, via };
  if (commits.length < 2) throw new EngineError('bad-argument', `${path.basename(file)} has one committed version and no changes since`, 'edit the prompt (or commit a new version), then compare again');
  return { before: await at(commits[1], 'previous commit'), after: head, via };
}
