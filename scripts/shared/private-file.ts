import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` atomically and durably with a file that is mode 0600 from its first byte:
 * a fresh temporary file (O_EXCL, never through a symbolic link) -> fsync -> rename -> fsync of
 * the directory. A crash at any point leaves the old content or the new, never a mix, and the
 * content (bundles with secrets, checkpoints) is never readable by other users on the way.
 */
export async function writePrivateFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(
    temporary,
    fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0),
    0o600
  );
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  // Makes the rename itself durable. Some file systems refuse fsync on a directory; that only
  // weakens durability to what the file system offers, so the error is ignored.
  const dir = await open(directory, fsConstants.O_RDONLY).catch(() => undefined);
  if (dir) {
    await dir.sync().catch(() => undefined);
    await dir.close();
  }
}

/** Permission bits that let users other than the owner read or write a file. */
const GROUP_OR_OTHER = 0o077;

export interface ExposedFile {
  path: string;
  /** the file's permission bits, e.g. 0o644 */
  mode: number;
}

/**
 * The file's mode when group or others may read or write it (as ssh refuses such private keys),
 * undefined when only the owner can. Windows has no such bits: there nothing is reported.
 */
export async function exposedMode(path: string): Promise<ExposedFile | undefined> {
  if (process.platform === 'win32') return undefined;
  const { stat } = await import('node:fs/promises');
  const info = await stat(path);
  const mode = info.mode & 0o777;
  return (mode & GROUP_OR_OTHER) !== 0 ? { path, mode } : undefined;
}

/** `0644` for 0o644: how `ls -l` and chmod users write modes. */
export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}
