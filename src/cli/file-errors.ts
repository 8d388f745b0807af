/** File-system errors in words: "no such file: PATH" rather than "ENOENT". */

export function describeFileError(error: unknown, file?: string): string {
  const e = error as NodeJS.ErrnoException;
  const p = file ?? e.path ?? '';
  switch (e.code) {
    case 'ENOENT':
      return `no such file: ${p}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied: ${p}`;
    case 'EISDIR':
      return `${p} is a folder, not a file`;
    case 'ENOTDIR':
      return `${p} cannot exist: a part of its path is a file, not a folder`;
    case 'EROFS':
      return `${p} is on a read-only file system`;
    case 'ENOSPC':
      return `no space left on the device for ${p}`;
    default:
      return `cannot use ${p} (${e.code ?? e.message})`;
  }
}
