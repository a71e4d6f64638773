import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { link, mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { loadMessages } from '../shared/messages.ts';

// One relay per checkpoint. Two relays on one checkpoint would both receive every event (and
// pay for it twice in the delivery allocation) and overwrite each other's position, so the second
// is refused. The lock is `<checkpoint>.lock`, created with O_EXCL, holding the holder's pid, host
// and start time, its modification time refreshed every 10 s.
//
// A lock left by a relay that died (kill -9, a power cut) is taken over at once when its pid is
// gone on this host, so a supervisor's restart is never refused; a lock from another host (a
// shared volume) is taken over once it has not been refreshed for a minute. Why not a lock
// library: proper-lockfile and the like judge staleness by age alone, so a restart after kill -9
// would have to wait out that age.

const messages = loadMessages('relay');
const REFRESH_MS = 10_000;
const FOREIGN_STALE_MS = 60_000;

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
  token: string;
}

export class CheckpointLock {
  readonly path: string;
  readonly #token: string;
  readonly #timer: NodeJS.Timeout;
  #released = false;

  private constructor(path: string, token: string) {
    this.path = path;
    this.#token = token;
    this.#timer = setInterval(() => {
      const now = new Date();
      void utimes(this.path, now, now).catch(() => undefined);
    }, REFRESH_MS);
    this.#timer.unref();
  }

  static async acquire(checkpointPath: string): Promise<CheckpointLock> {
    const path = `${checkpointPath}.lock`;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const holder: Holder = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      token: randomBytes(8).toString('hex')
    };
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const handle = await open(
          path,
          fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL,
          0o600
        );
        await handle.writeFile(`${JSON.stringify(holder)}\n`);
        await handle.close();
        return new CheckpointLock(path, holder.token);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      let current = await readHolder(path);
      if (!current) {
        // Maybe another relay is between creating the file and writing it: look again shortly.
        await new Promise((resolve) => setTimeout(resolve, 200));
        current = await readHolder(path);
      }
      if (current && !(await isStale(path, current))) {
        throw messages.createError(
          'error.CheckpointLocked',
          [current.pid, current.host, current.startedAt, checkpointPath],
          [path]
        );
      }
      // Stale: move it out of the way atomically (of two relays taking over, one rename wins).
      const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
      const moved = await rename(path, aside).then(
        () => true,
        () => false
      );
      if (moved) await putBackIfLive(path, aside, current);
    }
    const current = await readHolder(path);
    throw messages.createError(
      'error.CheckpointLocked',
      [current?.pid ?? '?', current?.host ?? '?', current?.startedAt ?? '?', checkpointPath],
      [path]
    );
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    const current = await readHolder(this.path);
    if (current?.token === this.#token) await unlink(this.path).catch(() => undefined);
  }
}

/**
 * Two relays that both judged the old lock stale race: the first renames it aside and creates its
 * own, and the second's rename, a moment later, would move that fresh lock instead. So the file
 * renamed aside is checked: when it is not the holder judged stale but a live one, it is linked
 * back (link fails rather than overwrite, should a third relay have created one meanwhile) and
 * the next attempt reports the lock as held.
 */
async function putBackIfLive(path: string, aside: string, judgedStale: Holder | undefined): Promise<void> {
  const moved = await readHolder(aside);
  const live = moved !== undefined && moved.token !== judgedStale?.token && !(await isStale(aside, moved));
  if (live) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<Holder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return parsed as Holder;
  } catch {
    return undefined; // unreadable or half-written: treated as stale below
  }
}

async function isStale(path: string, holder: Holder): Promise<boolean> {
  if (holder.host === hostname()) return holder.pid === process.pid || !(await isRunningNode(holder.pid));
  const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: 0 }));
  return Date.now() - mtimeMs > FOREIGN_STALE_MS;
}

async function isRunningNode(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A recycled pid belonging to some other program does not hold the lock.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return cmdline === undefined || /node/i.test(cmdline);
}
