import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { withTimeout } from '@wagw/resilience';
import { resolveRange } from './byte-range.js';
import { errorMessage, MediaNotFoundError, unlessMissing } from './errors.js';
import { assertMediaId, etagFor, mediaIdFor } from './media-id.js';
import { spoolToFile } from './spool.js';
import type { GetResult, ListedMedia, MediaInfo, MediaStore } from './store-types.js';

export interface FsMediaStoreOptions {
  /** Directory holding the objects, created on first use. Default: `./data/media` (from the working directory). */
  root?: string;
  /** Upper bound of `health()`, in ms. Default: 2000. */
  healthTimeoutMs?: number;
}

/** The JSON sidecar kept beside each object: what the bytes alone cannot tell. */
interface Sidecar {
  sha256: string;
  size: number;
  mimetype: string;
  createdAt: string;
}

const FAN_OUT_DIR = /^[0-9a-f]{2}$/;
const OBJECT_NAME = /^[0-9a-f]{64}$/;

/**
 * Media on the local filesystem: `<root>/ab/cd/<id>` with `<id>.json` beside it. Two levels of
 * fan-out by hash prefix keep every directory small (65,536 leaves), which keeps lookups and
 * listings fast on any filesystem.
 *
 * Atomicity: bytes are spooled under `<root>/.tmp` (same filesystem, so `rename` is atomic) and
 * the sidecar is written (also temp + rename) before the object is renamed into place. The object's
 * rename is the commit: a crash at any point leaves either nothing under the final name or a
 * complete object with its sidecar. An object is only visible when both files exist, so a stray
 * sidecar is harmless and is overwritten by the next put of that content.
 */
export function createFsMediaStore(options: FsMediaStoreOptions = {}): MediaStore {
  const root = resolve(options.root ?? './data/media');
  const tmpDir = join(root, '.tmp');
  const healthTimeoutMs = options.healthTimeoutMs ?? 2000;

  const objectPath = (id: string) => join(root, id.slice(0, 2), id.slice(2, 4), id);
  const sidecarPath = (id: string) => `${objectPath(id)}.json`;

  async function readSidecar(id: string): Promise<MediaInfo> {
    let raw: string;
    try {
      raw = await readFile(sidecarPath(id), 'utf8');
    } catch (err) {
      if (isNotFound(err)) throw new MediaNotFoundError(id);
      throw err;
    }
    const sidecar = JSON.parse(raw) as Sidecar;
    return {
      id,
      sha256: sidecar.sha256,
      size: sidecar.size,
      mimetype: sidecar.mimetype,
      createdAt: new Date(sidecar.createdAt),
    };
  }

  async function stat(id: string): Promise<MediaInfo> {
    assertMediaId(id);
    // Both files must be there: the object is the commit, the sidecar holds the metadata.
    const handle = await openObject(id);
    await handle.close();
    return readSidecar(id);
  }

  async function openObject(id: string) {
    try {
      return await open(objectPath(id), 'r');
    } catch (err) {
      if (isNotFound(err)) throw new MediaNotFoundError(id);
      throw err;
    }
  }

  const existing = (id: string): Promise<MediaInfo | undefined> => unlessMissing(stat(id));

  async function writeSidecar(id: string, info: MediaInfo): Promise<void> {
    const sidecar: Sidecar = {
      sha256: info.sha256,
      size: info.size,
      mimetype: info.mimetype,
      createdAt: info.createdAt.toISOString(),
    };
    const temp = join(tmpDir, `${randomUUID()}.json`);
    try {
      await writeFile(temp, JSON.stringify(sidecar), { flag: 'wx' });
      await rename(temp, sidecarPath(id));
    } finally {
      await rm(temp, { force: true });
    }
  }

  return {
    async put(source, putOptions) {
      await mkdir(tmpDir, { recursive: true });
      const temp = join(tmpDir, randomUUID());
      try {
        const spooled = await spoolToFile(source, temp, putOptions);
        const id = mediaIdFor(spooled.sha256);
        const stored = await existing(id);
        if (stored) return stored;
        const info: MediaInfo = { id, ...spooled, createdAt: new Date() };
        await mkdir(dirname(objectPath(id)), { recursive: true });
        await writeSidecar(id, info);
        await rename(temp, objectPath(id));
        return info;
      } finally {
        await rm(temp, { force: true });
      }
    },

    async get(id, getOptions = {}): Promise<GetResult> {
      assertMediaId(id);
      // Opened before anything else: a delete after this point cannot cut the stream short.
      const handle = await openObject(id);
      try {
        const info = await readSidecar(id);
        const range = getOptions.range ? resolveRange(getOptions.range, info.size) : undefined;
        const stream = handle.createReadStream(range ? { start: range.start, end: range.end } : {});
        return { ...info, stream, etag: etagFor(info.sha256), ...(range ? { range } : {}) };
      } catch (err) {
        await handle.close();
        throw err;
      }
    },

    stat,

    async localFile(id) {
      // The object's own file, immutable once committed: nothing to copy or release. (A delete only
      // unlinks the name, so a reader that has the file open keeps reading it.)
      const info = await stat(id);
      return { path: objectPath(id), info, release: async () => undefined };
    },

    async delete(id) {
      assertMediaId(id);
      // The object first: once it is gone the media is gone, whatever happens to the sidecar.
      try {
        await rm(objectPath(id));
      } catch (err) {
        if (isNotFound(err)) {
          await rm(sidecarPath(id), { force: true });
          return false;
        }
        throw err;
      }
      await rm(sidecarPath(id), { force: true });
      return true;
    },

    async *list(listOptions = {}): AsyncGenerator<ListedMedia> {
      for (const first of await subdirectories(root)) {
        for (const second of await subdirectories(join(root, first))) {
          const names = await readdir(join(root, first, second));
          for (const name of names.filter((n) => OBJECT_NAME.test(n))) {
            const info = await existing(name);
            if (!info) continue;
            if (listOptions.olderThan && info.createdAt >= listOptions.olderThan) continue;
            yield { id: info.id, size: info.size, createdAt: info.createdAt };
          }
        }
      }
    },

    async health() {
      try {
        await withTimeout(async (signal) => {
          await mkdir(tmpDir, { recursive: true });
          const probe = join(tmpDir, `health-${randomUUID()}`);
          try {
            await writeFile(probe, 'ok', { flag: 'wx', signal });
          } finally {
            await rm(probe, { force: true });
          }
        }, healthTimeoutMs);
        return { ok: true, backend: 'fs' };
      } catch (err) {
        return { ok: false, backend: 'fs', error: errorMessage(err) };
      }
    },
  };
}

async function subdirectories(path: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && FAN_OUT_DIR.test(e.name)).map((e) => e.name);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
