import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MediaNotFoundError,
  MediaRangeError,
  type MediaStore,
  MediaStoreError,
  MediaTooLargeError,
} from '../../src/index.js';
import { CHUNK_BYTES, failingAfter, generatedBytes, readAll, sha256Hex } from '../byte-sources.js';

export interface MediaStoreTarget {
  store: MediaStore;
  /** Names left in the store's spool directory: must be empty once every put has settled. */
  spoolLeftovers(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;
// A JPEG's first bytes (SOI + APP0/JFIF): enough for the sniffer to name it.
const JPEG_HEAD = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex');

const storeBytes = (store: MediaStore, bytes: Buffer, mimetype?: string) =>
  store.put(Readable.from([bytes]), { maxBytes: 10 * MiB, ...(mimetype ? { mimetype } : {}) });

async function allIds(store: MediaStore, olderThan?: Date): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of store.list(olderThan ? { olderThan } : {})) ids.push(entry.id);
  return ids.sort();
}

/** The one media store contract, run unchanged against every backend. One store per suite. */
export function describeMediaStoreContract(name: string, factory: () => Promise<MediaStoreTarget>): void {
  describe(`media store contract: ${name}`, () => {
    let target: MediaStoreTarget;
    const store = () => target.store;

    beforeAll(async () => {
      target = await factory();
    });
    afterAll(async () => {
      await target?.cleanup();
    });

    it('puts, gets, stats, lists and deletes by content address', async () => {
      const bytes = randomBytes(3000);
      const info = await storeBytes(store(), bytes, 'application/pdf');
      expect(info).toMatchObject({
        id: sha256Hex(bytes),
        sha256: sha256Hex(bytes),
        size: 3000,
        mimetype: 'application/pdf',
      });
      expect(await store().stat(info.id)).toEqual(info);

      const got = await store().get(info.id);
      expect(got).toMatchObject({
        id: info.id,
        size: 3000,
        mimetype: 'application/pdf',
        etag: `"${info.sha256}"`,
      });
      expect(got.range).toBeUndefined();
      expect((await readAll(got.stream)).equals(bytes)).toBe(true);
      expect(await allIds(store())).toContain(info.id);

      expect(await store().delete(info.id)).toBe(true);
      expect(await store().delete(info.id)).toBe(false);
      await expect(store().stat(info.id)).rejects.toMatchObject({ code: 'MEDIA_NOT_FOUND' });
      await expect(store().get(info.id)).rejects.toBeInstanceOf(MediaNotFoundError);
      expect(await allIds(store())).not.toContain(info.id);
    });

    it('sniffs the type from the bytes when none is given', async () => {
      const jpeg = await storeBytes(store(), Buffer.concat([JPEG_HEAD, randomBytes(500)]));
      expect(jpeg.mimetype).toBe('image/jpeg');
      const unknown = await storeBytes(store(), Buffer.from(`plain text ${Math.random()}`));
      expect(unknown.mimetype).toBe('application/octet-stream');
    });

    it('refuses malformed ids as not found, before they reach a path or key', async () => {
      for (const id of ['../../etc/passwd', 'A'.repeat(64), '', `${'a'.repeat(63)}/`]) {
        await expect(store().stat(id)).rejects.toBeInstanceOf(MediaNotFoundError);
        await expect(store().get(id)).rejects.toBeInstanceOf(MediaNotFoundError);
      }
    });

    it('stores the same bytes once, keeping the first time and type', async () => {
      const bytes = randomBytes(2048);
      const first = await storeBytes(store(), bytes, 'image/png');
      const second = await storeBytes(store(), bytes, 'image/webp');
      expect(second).toEqual(first);
      expect((await allIds(store())).filter((id) => id === first.id)).toHaveLength(1);
    });

    it('stores concurrent puts of the same content as one intact object', async () => {
      const bytes = randomBytes(256 * 1024);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => storeBytes(store(), bytes, 'video/mp4')),
      );
      expect(new Set(results.map((r) => r.id))).toEqual(new Set([sha256Hex(bytes)]));
      expect((await allIds(store())).filter((id) => id === sha256Hex(bytes))).toHaveLength(1);
      expect((await readAll((await store().get(sha256Hex(bytes))).stream)).equals(bytes)).toBe(true);
      expect(await target.spoolLeftovers()).toEqual([]);
    });

    describe('ranges', () => {
      const bytes = randomBytes(1000);
      let id: string;
      beforeAll(async () => {
        id = (await storeBytes(store(), bytes)).id;
      });
      const rangeOf = async (start: number, end?: number) => {
        const got = await store().get(id, { range: end === undefined ? { start } : { start, end } });
        return { range: got.range, size: got.size, bytes: await readAll(got.stream) };
      };

      it('serves the first 100 bytes', async () => {
        const got = await rangeOf(0, 99);
        expect(got.range).toEqual({ start: 0, end: 99 });
        expect(got.size).toBe(1000);
        expect(got.bytes.equals(bytes.subarray(0, 100))).toBe(true);
      });

      it('serves the last byte, an open end and an end past the object (clamped)', async () => {
        expect((await rangeOf(999, 999)).bytes.equals(bytes.subarray(999))).toBe(true);
        expect((await rangeOf(900)).bytes.equals(bytes.subarray(900))).toBe(true);
        const clamped = await rangeOf(950, 5000);
        expect(clamped.range).toEqual({ start: 950, end: 999 });
        expect(clamped.bytes.equals(bytes.subarray(950))).toBe(true);
      });

      it('refuses a range outside the object with a typed error', async () => {
        for (const range of [
          { start: 1000 },
          { start: 5000, end: 6000 },
          { start: 10, end: 5 },
          { start: -1, end: 5 },
        ]) {
          const err = await store()
            .get(id, { range })
            .catch((e: unknown) => e);
          expect(err).toBeInstanceOf(MediaRangeError);
          expect(err).toMatchObject({ code: 'MEDIA_RANGE_NOT_SATISFIABLE', size: 1000 });
        }
        const empty = await storeBytes(store(), Buffer.alloc(0));
        expect(empty.size).toBe(0);
        await expect(store().get(empty.id, { range: { start: 0 } })).rejects.toBeInstanceOf(MediaRangeError);
      });
    });

    it('stops reading soon after maxBytes and keeps nothing', async () => {
      const before = await allIds(store());
      const input = generatedBytes(50 * MiB);
      const err = await store()
        .put(input.source, { maxBytes: MiB })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MediaTooLargeError);
      expect(err).toBeInstanceOf(MediaStoreError);
      expect(err).toMatchObject({ code: 'MEDIA_TOO_LARGE', maxBytes: MiB });
      // Read-ahead of a few stream buffers at most, nowhere near the 50 MiB on offer.
      expect(input.produced()).toBeLessThan(MiB + 16 * CHUNK_BYTES);
      expect(await allIds(store())).toEqual(before);
      expect(await target.spoolLeftovers()).toEqual([]);
    });

    it('accepts an input of exactly maxBytes', async () => {
      const bytes = randomBytes(4096);
      expect((await store().put(Readable.from([bytes]), { maxBytes: 4096 })).size).toBe(4096);
    });

    it('leaves no object when the input stream fails midway', async () => {
      const before = await allIds(store());
      await expect(
        store().put(failingAfter(5, new Error('client went away')), { maxBytes: 10 * MiB }),
      ).rejects.toThrow('client went away');
      expect(await allIds(store())).toEqual(before);
      expect(await target.spoolLeftovers()).toEqual([]);
    });

    it('lists by age for retention', async () => {
      const info = await storeBytes(store(), randomBytes(100));
      expect(await allIds(store(), new Date(Date.now() + 60_000))).toContain(info.id);
      expect(await allIds(store(), new Date(Date.now() - 60_000))).not.toContain(info.id);
    });

    it('hands out an object as a local file, the same path to concurrent users, until released', async () => {
      const bytes = randomBytes(64 * 1024);
      const info = await storeBytes(store(), bytes, 'image/jpeg');
      const [first, second] = await Promise.all([store().localFile(info.id), store().localFile(info.id)]);
      expect(first.path).toBe(second.path);
      expect(first.info).toEqual(info);
      expect((await readFile(first.path)).equals(bytes)).toBe(true);
      await first.release();
      // Released by one holder only: still readable for the other.
      expect((await readFile(second.path)).equals(bytes)).toBe(true);
      await second.release();
      await second.release(); // a second release is a no-op
      await expect(store().localFile('f'.repeat(64))).rejects.toBeInstanceOf(MediaNotFoundError);
      await expect(store().localFile('../etc/passwd')).rejects.toBeInstanceOf(MediaNotFoundError);
      expect(await target.spoolLeftovers()).toEqual([]);
    });

    it('reports itself healthy', async () => {
      expect(await store().health()).toMatchObject({ ok: true });
    });
  });
}
