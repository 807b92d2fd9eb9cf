import type { ChildProcess } from 'node:child_process';
import { type MessagePayload, readEvents } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { type HttpsFileServer, startHttpsFileServer } from './https-file-server.js';
import { type MediaFiles, makeMediaFiles, sha256Hex, storeMedia } from './media-files.js';
import { createOutbox, waitForMessageStatus, workerHeartbeat } from './messaging-fixtures.js';

let gw: Gateway;
let files: MediaFiles;
let server: HttpsFileServer;
let owner: { id: string; process: ChildProcess };
let outbox: ReturnType<typeof createOutbox>;
let sessionId: string;
let peer: string;

const FETCH_TIMEOUT_MS = 1000;

beforeAll(async () => {
  files = await makeMediaFiles();
  gw = await startGateway({
    workerEnv: {
      SEND_JITTER_MS: '0',
      SEND_RATE_PER_MINUTE: '600',
      MEDIA_FETCH_TIMEOUT: String(FETCH_TIMEOUT_MS),
      // Loopback only: the test server. Every other private range stays forbidden.
      MEDIA_FETCH_ALLOWED_NETWORKS: '127.0.0.0/8',
    },
  });
  server = await startHttpsFileServer(
    {
      '/photo.jpg': (_req, res) => res.end(files.jpeg),
      '/picture.png': (_req, res) => res.end(files.png),
      '/never-answers.jpg': () => undefined,
      '/to-metadata': (_req, res) =>
        res.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data' }).end(),
    },
    [gw.sim.media.caPem],
  );
  await gw.startWorker('media-bad', { NODE_EXTRA_CA_CERTS: server.caFile });
  const session = await gw.createSession('media-bad');
  sessionId = session.id;
  await gw.pair(sessionId);
  // media-bad, or one of its peers when the suite runs with several workers (E2E_WORKERS).
  owner = await gw.ownerWorker(sessionId);
  peer = gw.sim.messaging.addContact({ phone: '15554440000' }).pn;
  outbox = createOutbox(gw, sessionId);
}, 90_000);

afterAll(async () => {
  await outbox?.close();
  await server?.close();
  await gw?.close();
});

async function failure(payload: MessagePayload, timeoutMs = 30_000) {
  const row = await outbox.send(peer, payload);
  const failed = await waitForMessageStatus(gw, row.id, 'failed', timeoutMs);
  return { id: row.id, reason: failed.statusReason ?? '', attempts: failed.attempts };
}

describe('media that cannot be sent fails its message with a stable reason, never the worker', () => {
  it('refuses private addresses: a URL to one, and a redirect to the metadata service', async () => {
    const direct = await failure({ type: 'image', media: { url: 'https://10.20.30.40/photo.jpg' } });
    expect(direct.reason).toMatch(/^MEDIA_URL_FORBIDDEN: /);
    expect(direct.attempts).toBe(1);
    const redirected = await failure({ type: 'image', media: { url: server.url('/to-metadata') } });
    expect(redirected.reason).toMatch(/^MEDIA_URL_FORBIDDEN: .*169\.254\.169\.254/);
    expect(redirected.attempts).toBe(1);
  }, 60_000);

  it('fails a 404 at once, and a URL that never answers after its retries', async () => {
    const missing = await failure({ type: 'image', media: { url: server.url('/missing.jpg') } });
    expect(missing.reason).toMatch(/^MEDIA_FETCH_FAILED: HTTP 404/);
    expect(missing.attempts).toBe(1);

    const started = Date.now();
    const slow = await failure({ type: 'image', media: { url: server.url('/never-answers.jpg') } }, 90_000);
    const elapsed = Date.now() - started;
    console.info(`never-answering URL failed after ${slow.attempts} attempts in ${elapsed} ms`);
    expect(slow.reason).toMatch(
      new RegExp(
        `^MEDIA_FETCH_FAILED: no complete answer within ${FETCH_TIMEOUT_MS} ms \\(gave up after 5 attempts\\)`,
      ),
    );
    expect(slow.attempts).toBe(5);
    expect(server.hits.get('/never-answers.jpg')).toBe(5);
  }, 120_000);

  it('refuses a file of the wrong kind, and a stored file that is gone', async () => {
    const pngSticker = await failure({ type: 'sticker', media: { url: server.url('/picture.png') } });
    expect(pngSticker.reason).toBe('UNSUPPORTED_MEDIA: a sticker cannot be image/png');
    const pdfVoice = await failure({ type: 'voice', media: await storeMedia(gw.mediaDir, files.pdf) });
    expect(pdfVoice.reason).toBe('UNSUPPORTED_MEDIA: a voice cannot be application/pdf');
    const mislabelled = await failure({
      type: 'image',
      media: await storeMedia(gw.mediaDir, files.png),
      mimetype: 'image/jpeg',
    });
    expect(mislabelled.reason).toBe('UNSUPPORTED_MEDIA: the file is image/png, not image/jpeg as declared');
    const ghost = Buffer.from('never stored');
    const gone = await failure({
      type: 'document',
      media: { id: sha256Hex(ghost), sha256: sha256Hex(ghost), size: ghost.length, mimetype: 'text/plain' },
    });
    expect(gone.reason).toMatch(/^MEDIA_NOT_FOUND: /);
  }, 60_000);

  it('publishes each failure with its reason, and keeps the worker, its send breaker and the session going', async () => {
    const events = await readEvents(gw.redis, gw.prefix, '0', { count: 5000 });
    const failedReasons = events
      .filter((e) => e.event.event === 'message.status' && e.event.data.status === 'failed')
      .map((e) => String(e.event.data.reason));
    expect(failedReasons.filter((r) => r.startsWith('MEDIA_URL_FORBIDDEN:'))).toHaveLength(2);
    expect(failedReasons.filter((r) => r.startsWith('MEDIA_FETCH_FAILED:'))).toHaveLength(2);
    expect(failedReasons.filter((r) => r.startsWith('UNSUPPORTED_MEDIA:'))).toHaveLength(3);

    expect(owner.process.exitCode).toBeNull();
    expect(owner.process.signalCode).toBeNull();
    const beat = await workerHeartbeat(gw, owner.id);
    expect((beat?.breakers as Record<string, string> | undefined)?.[`send:${sessionId}`]).toBe('closed');

    const fine = await outbox.send(peer, { type: 'image', media: { url: server.url('/photo.jpg') } });
    const got = await gw.sim.messaging.waitForMessage(
      (m) => m.id === fine.waMessageId && !m.ownDevice,
      30_000,
    );
    expect(got.media).toMatchObject({ verified: true, sha256: sha256Hex(files.jpeg) });
    await waitForMessageStatus(gw, fine.id, 'sent');
  }, 60_000);
});
