import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsMediaStore, MediaTooLargeError } from '@wagw/media';
import { encryptedStream } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MediaIntegrityError } from './inbound-decrypt.js';
import type { InboundMediaDescriptor } from './inbound-descriptor.js';
import { downloadFailureReason, downloadInbound, ReuploadFailedError } from './inbound-download.js';
import { openBlob } from './inbound-fetch.js';

/** How the test CDN answers a path: a status, the blob, the blob cut off, or the blob slowly. */
type Answer = number | 'blob' | 'drop' | 'slow';

let dir: string;
let base: string;
const answers = new Map<string, Answer[]>();
const served: string[] = [];
let blob: Buffer;
let server: ReturnType<typeof createServer>;

function answer(res: ServerResponse, what: Answer) {
  if (typeof what === 'number') return res.writeHead(what).end('no');
  res.writeHead(200, { 'content-length': blob.length });
  if (what === 'blob') return res.end(blob);
  res.write(blob.subarray(0, 1000));
  if (what === 'drop') setTimeout(() => res.socket?.destroy(), 20);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inbound-download-'));
  server = createServer((req, res) => {
    const path = req.url ?? '';
    served.push(path);
    const queue = answers.get(path) ?? [];
    answer(res, queue.shift() ?? 404);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function file(length: number) {
  const plain = randomBytes(length);
  const out = await encryptedStream(plain, 'document');
  blob = await readFile(out.encFilePath);
  await rm(out.encFilePath, { force: true });
  const descriptor: InboundMediaDescriptor = {
    mediaType: 'document',
    url: `${base}/f/${randomBytes(4).toString('hex')}`,
    mediaKey: out.mediaKey.toString('base64'),
    fileEncSha256: out.fileEncSha256.toString('base64'),
    fileSha256: out.fileSha256.toString('base64'),
    fileLength: out.fileLength,
    mimetype: 'application/pdf',
    key: { id: '3AFILE', remoteJid: '15550001111@s.whatsapp.net' },
  };
  return { plain, descriptor, sha256: createHash('sha256').update(plain).digest('hex') };
}

function setup(extra: { maxBytes?: number; signal?: AbortSignal } = {}) {
  const store = createFsMediaStore({ root: join(dir, randomBytes(4).toString('hex')) });
  const reupload = vi.fn(async (d: InboundMediaDescriptor) => ({ ...d, url: `${d.url}-again` }));
  const onRetry = vi.fn();
  const deps = {
    store,
    maxBytes: extra.maxBytes ?? 1024 * 1024,
    dispatcher: undefined,
    reupload,
    signal: extra.signal ?? new AbortController().signal,
    backoffMs: [5, 5],
    onRetry,
  };
  return { store, reupload, onRetry, deps };
}

const path = (d: InboundMediaDescriptor) => new URL(d.url ?? '').pathname;
const listed = async (store: ReturnType<typeof createFsMediaStore>) => {
  const ids: string[] = [];
  for await (const item of store.list()) ids.push(item.id);
  return ids;
};

describe('downloadInbound', () => {
  it('streams the decrypted, checked file into the store with its mimetype', async () => {
    const { plain, descriptor, sha256 } = await file(200_000);
    answers.set(path(descriptor), ['blob']);
    const { store, deps } = setup();
    const info = await downloadInbound(descriptor, deps);
    expect(info).toMatchObject({ id: sha256, sha256, size: plain.length, mimetype: 'application/pdf' });
    const got = await store.get(info.id);
    const parts: Buffer[] = [];
    for await (const part of got.stream) parts.push(part as Buffer);
    expect(Buffer.concat(parts).equals(plain)).toBe(true);
  });

  it('a file gone from the CDN (410) is asked again from the sender, then downloaded from its new place', async () => {
    const { descriptor, sha256 } = await file(5000);
    answers.set(path(descriptor), [410]);
    answers.set(`${path(descriptor)}-again`, ['blob']);
    const { reupload, onRetry, deps } = setup();
    expect((await downloadInbound(descriptor, deps)).sha256).toBe(sha256);
    expect(reupload).toHaveBeenCalledTimes(1);
    expect(reupload).toHaveBeenCalledWith(descriptor);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('retries a failing CDN and a dropped connection, without crashing, up to three attempts', async () => {
    const { descriptor, sha256 } = await file(50_000);
    answers.set(path(descriptor), [503, 'drop', 'blob']);
    const { onRetry, deps } = setup();
    expect((await downloadInbound(descriptor, deps)).sha256).toBe(sha256);
    expect(onRetry).toHaveBeenCalledTimes(2);

    const failing = await file(50_000);
    answers.set(path(failing.descriptor), ['drop', 'drop', 'drop', 'blob']);
    const again = setup();
    const err = await downloadInbound(failing.descriptor, again.deps).catch((e: unknown) => e);
    expect(again.onRetry).toHaveBeenCalledTimes(2);
    expect(downloadFailureReason(err, 1)).toMatch(/^the download failed after 3 attempts: /);
    expect(await listed(again.store)).toEqual([]);
  });

  it('gives up at once on a file over its cap or one that fails its checks, and stores nothing', async () => {
    const { descriptor } = await file(300_000);
    answers.set(path(descriptor), ['blob', 'blob']);
    const small = setup({ maxBytes: 100_000 });
    const tooLarge = await downloadInbound(descriptor, small.deps).catch((e: unknown) => e);
    expect(tooLarge).toBeInstanceOf(MediaTooLargeError);
    expect(downloadFailureReason(tooLarge, 100_000)).toBe('the file is larger than the 100000-byte limit');

    const forged = { ...descriptor, fileSha256: Buffer.alloc(32).toString('base64') };
    const checked = setup();
    const mismatch = await downloadInbound(forged, checked.deps).catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(MediaIntegrityError);
    expect(small.onRetry).not.toHaveBeenCalled();
    expect(checked.onRetry).not.toHaveBeenCalled();
    expect(await listed(small.store)).toEqual([]);
    expect(await listed(checked.store)).toEqual([]);
  });

  it('when the sender cannot upload it again, says so after the attempts', async () => {
    const { descriptor } = await file(1000);
    answers.set(path(descriptor), [404, 404, 404]);
    const { reupload, deps } = setup();
    reupload.mockRejectedValue(new Error('Media re-upload failed by device (NOT_FOUND)'));
    const err = await downloadInbound(descriptor, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReuploadFailedError);
    expect(reupload).toHaveBeenCalledTimes(3);
    expect(downloadFailureReason(err, 1)).toBe(
      'the media CDN no longer has the file (404) and asking the sender to upload it again failed: Media re-upload failed by device (NOT_FOUND)',
    );
  });

  it('stops without retrying when aborted mid-download', async () => {
    const { descriptor } = await file(100_000);
    answers.set(path(descriptor), ['slow', 'blob']);
    const abort = new AbortController();
    const { onRetry, store, deps } = setup({ signal: abort.signal });
    const started = Date.now();
    const pending = downloadInbound(descriptor, deps).catch((e: unknown) => e);
    await vi.waitFor(() => expect(served).toContain(path(descriptor)));
    abort.abort();
    expect(await pending).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(onRetry).not.toHaveBeenCalled();
    expect(await listed(store)).toEqual([]);
  });
});

describe('a CDN connection dropped before anyone reads the body', () => {
  it('is an error the reader gets, not an uncaught exception', async () => {
    const { descriptor } = await file(100_000);
    const path = new URL(descriptor.url!).pathname;
    answers.set(path, ['drop']);
    const body = await openBlob(descriptor, { dispatcher: undefined, signal: new AbortController().signal });
    // The store is still opening its file: the connection drops meanwhile (20 ms after the headers).
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(
      (async () => {
        for await (const _ of body);
      })(),
    ).rejects.toThrow();
  });
});
