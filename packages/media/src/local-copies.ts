import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { spoolToFile } from './spool.js';
import type { LocalMedia, MediaInfo } from './store-types.js';

export interface LocalCopiesOptions {
  /** Directory the copies live in; created on first use, removed when the last copy goes. */
  dir: string;
  /** How long a copy nobody holds is kept for the next user, in ms (0: removed at once). */
  lingerMs: number;
}

interface Copy {
  ready: Promise<{ path: string; info: MediaInfo }>;
  holders: number;
  timer?: NodeJS.Timeout;
}

/**
 * Local copies of remote objects, one file per content address, shared by everyone who holds it.
 * A bulk send of one image asks for the same id a thousand times: it is downloaded once, and the
 * path stays the same, which is what Baileys' media cache is keyed by. A copy is removed `lingerMs`
 * after its last holder released it. Each copy is checked against its address while it is spooled,
 * so damaged bytes are never handed out.
 */
export function createLocalCopies(options: LocalCopiesOptions) {
  const copies = new Map<string, Copy>();
  // Creating and removing the directory take turns, so a removal never pulls it from under a
  // download that has just created it.
  let dirTurn: Promise<unknown> = Promise.resolve();
  const dirOp = (fn: () => Promise<unknown>): Promise<unknown> => {
    const run = dirTurn.then(fn);
    dirTurn = run.catch(() => undefined);
    return run;
  };

  async function download(info: MediaInfo, open: () => Promise<Readable>) {
    await dirOp(() => mkdir(options.dir, { recursive: true }));
    const path = join(options.dir, info.id);
    const temp = join(options.dir, `.${randomUUID()}`);
    try {
      const spooled = await spoolToFile(await open(), temp, {
        maxBytes: Math.max(info.size, 0),
        mimetype: info.mimetype,
      });
      if (spooled.sha256 !== info.sha256) throw new Error(`media ${info.id} does not match its address`);
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
    return { path, info };
  }

  // The directory goes with the last copy, so an idle process leaves nothing in the temp dir.
  const removeDirIfEmpty = () =>
    dirOp(async () => {
      if (copies.size === 0) await rm(options.dir, { recursive: true, force: true });
    });

  async function remove(id: string, copy: Copy): Promise<void> {
    if (copies.get(id) !== copy || copy.holders > 0) return;
    copies.delete(id);
    await rm(join(options.dir, id), { force: true });
    await removeDirIfEmpty();
  }

  function release(id: string, copy: Copy): Promise<void> {
    copy.holders--;
    if (copy.holders > 0) return Promise.resolve();
    if (options.lingerMs <= 0) return remove(id, copy);
    copy.timer = setTimeout(() => void remove(id, copy).catch(() => undefined), options.lingerMs);
    copy.timer.unref();
    return Promise.resolve();
  }

  return {
    /** The copy of `info`'s object, downloaded with `open` unless a copy is already there. */
    async acquire(info: MediaInfo, open: () => Promise<Readable>): Promise<LocalMedia> {
      let copy = copies.get(info.id);
      if (!copy) {
        const created: Copy = { ready: Promise.resolve({ path: '', info }), holders: 0 };
        // A failed download is not cached: the next caller tries again.
        created.ready = download(info, open).catch(async (err: unknown) => {
          if (copies.get(info.id) === created) copies.delete(info.id);
          await removeDirIfEmpty();
          throw err;
        });
        copies.set(info.id, created);
        copy = created;
      }
      clearTimeout(copy.timer);
      copy.holders++;
      const held = copy;
      let ready: { path: string; info: MediaInfo };
      try {
        ready = await held.ready;
      } catch (err) {
        held.holders--;
        throw err;
      }
      let released = false;
      return {
        ...ready,
        release: () => {
          if (released) return Promise.resolve();
          released = true;
          return release(info.id, held);
        },
      };
    },
  };
}
