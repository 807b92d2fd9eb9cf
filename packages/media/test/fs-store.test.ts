import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createTempDir } from '@wagw/testing';
import { describe, expect, it } from 'vitest';
import { createFsMediaStore } from '../src/index.js';
import { describeMediaStoreContract } from './contract/media-store.contract.js';

async function spoolLeftovers(root: string): Promise<string[]> {
  return readdir(join(root, '.tmp')).catch(() => []);
}

describeMediaStoreContract('filesystem', async () => {
  const dir = createTempDir('wagw-media-');
  return {
    store: createFsMediaStore({ root: dir.path }),
    spoolLeftovers: () => spoolLeftovers(dir.path),
    async cleanup() {
      dir.cleanup();
    },
  };
});

describe('filesystem media store', () => {
  it('fans objects out by hash prefix with a JSON sidecar beside each', async () => {
    const dir = createTempDir('wagw-media-');
    try {
      const store = createFsMediaStore({ root: dir.path });
      const info = await store.put(Readable.from([Buffer.from('fan out')]), {
        maxBytes: 100,
        mimetype: 'text/plain',
      });
      const leaf = join(dir.path, info.id.slice(0, 2), info.id.slice(2, 4));
      expect((await readdir(leaf)).sort()).toEqual([info.id, `${info.id}.json`]);
    } finally {
      dir.cleanup();
    }
  });

  it('ignores what a crash before the commit leaves: a spool file and a sidecar without object', async () => {
    const dir = createTempDir('wagw-media-');
    try {
      const store = createFsMediaStore({ root: dir.path });
      const bytes = Buffer.from('interrupted before the rename');
      const id = createHash('sha256').update(bytes).digest('hex');
      const leaf = join(dir.path, id.slice(0, 2), id.slice(2, 4));
      mkdirSync(join(dir.path, '.tmp'), { recursive: true });
      mkdirSync(leaf, { recursive: true });
      writeFileSync(join(dir.path, '.tmp', 'left-by-a-killed-process'), bytes.subarray(0, 5));
      writeFileSync(
        join(leaf, `${id}.json`),
        JSON.stringify({ sha256: id, size: 1, mimetype: 'x/y', createdAt: new Date(0) }),
      );

      await expect(store.stat(id)).rejects.toMatchObject({ code: 'MEDIA_NOT_FOUND' });
      for await (const listed of store.list()) expect.unreachable(`listed ${listed.id}`);
      const info = await store.put(Readable.from([bytes]), { maxBytes: 100, mimetype: 'text/plain' });
      expect(await store.stat(id)).toEqual(info);
      expect(info).toMatchObject({ size: bytes.length, mimetype: 'text/plain' });
    } finally {
      dir.cleanup();
    }
  });

  it('reports an unwritable root as unhealthy instead of throwing', async () => {
    const dir = createTempDir('wagw-media-');
    try {
      // A root below a regular file can never be created, whoever runs the test (root included).
      const blocked = createFsMediaStore({ root: join(dir.path, 'file', 'media') });
      writeFileSync(join(dir.path, 'file'), 'not a directory');
      const health = await blocked.health();
      expect(health).toMatchObject({ ok: false, backend: 'fs' });
      expect(health.error).toMatch(/ENOTDIR|EEXIST/);
    } finally {
      dir.cleanup();
    }
  });
});
