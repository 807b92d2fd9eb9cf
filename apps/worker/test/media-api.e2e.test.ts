import { randomBytes } from 'node:crypto';
import { VOICE_MIMETYPE } from '@wagw/media';
import { type LocalS3, s3MediaEnv, startLocalS3 } from '@wagw/testing';
import type { DecryptedMessage } from '@wagw/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';
import { type HttpsFileServer, startHttpsFileServer } from './https-file-server.js';
import { type MediaFiles, makeMediaFiles, sha256Hex } from './media-files.js';
import { sessionPhone } from './messaging-fixtures.js';

/**
 * Issue #13's acceptance driven only through the API process, as a client would: uploads, sends by
 * id, base64 and URL, inbound media read back through message views and signed links, and the
 * intake errors, on each media store backend. The simulated peers verify every file they decrypt.
 */

// Small enough that a 100 KB inline file is refused, large enough for the clips sent inline here.
const BASE64_MAX_BYTES = 64 * 1024;

type Api = Awaited<ReturnType<Gateway['startApi']>>;
interface MessageView {
  waMessageId: string | null;
  status: string;
  statusReason: string | null;
  media?: {
    type: string;
    sha256?: string;
    size?: number;
    mimetype?: string;
    fileName?: string;
    url?: string;
  };
}

interface Delivered {
  got: DecryptedMessage;
  view: MessageView;
}

const signedLink = /^\/api\/media\/[0-9a-f]{64}\?expires=\d+&signature=/;
const json = async <T>(res: Response) => (await res.json()) as T;

let files: MediaFiles;
beforeAll(async () => {
  files = await makeMediaFiles();
}, 60_000);

describe.each(['fs', 's3'] as const)('media through the API process, %s store', (backend) => {
  let s3: LocalS3 | undefined;
  let gw: Gateway;
  let api: Api;
  let server: HttpsFileServer;
  let uploadKey: string;
  let sessionId: string;
  let contact = 0;
  let started = 0;

  beforeAll(async () => {
    started = Date.now();
    s3 = backend === 's3' ? await startLocalS3('wagw-media-api') : undefined;
    // The same store for both roles: the API stores uploads and inline files, the worker sends them.
    const storeEnv = s3 ? s3MediaEnv(s3) : {};
    gw = await startGateway({
      workerEnv: {
        SEND_JITTER_MS: '0',
        SEND_RATE_PER_MINUTE: '600',
        // The URL test server listens on loopback, which the SSRF guard refuses unless allowed.
        MEDIA_FETCH_ALLOWED_NETWORKS: '127.0.0.0/8',
        ...storeEnv,
      },
    });
    server = await startHttpsFileServer(
      {
        '/invoice.pdf': (_req, res) =>
          res.writeHead(200, { 'content-type': 'application/pdf' }).end(files.pdf),
      },
      [gw.sim.media.caPem],
    );
    // One CA file trusting both the URL server and the simulator's CDN.
    await gw.startWorker(`media-api-${backend}`, { NODE_EXTRA_CA_CERTS: server.caFile });
    api = await gw.startApi({ ...storeEnv, MEDIA_BASE64_MAX_BYTES: String(BASE64_MAX_BYTES) });
    const created = await api.call('POST', '/api/sessions', { name: `media-api-${backend}` });
    expect(created.status).toBe(201);
    sessionId = (await json<{ id: string }>(created)).id;
    await gw.pair(sessionId, 60_000);
    // A stored admin key: multipart uploads need a key header that the harness' JSON helper cannot carry.
    const key = await api.call('POST', '/api/keys', { name: 'media uploads', sessionId: null });
    expect(key.status).toBe(201);
    uploadKey = (await json<{ key: string }>(key)).key;
  }, 180_000);

  afterAll(async () => {
    console.info(
      `media-api e2e (${backend} store): ${Date.now() - started} ms from gateway start to last test`,
    );
    await server?.close();
    await gw?.close();
    await s3?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers });
  const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer());
  const postMessage = (body: Record<string, unknown>) =>
    api.call('POST', `/api/sessions/${sessionId}/messages`, body);

  /** Sends through the API to a new contact: what the contact decrypted and the message's final view. */
  async function deliver(body: Record<string, unknown>): Promise<Delivered> {
    const phone = `1555${backend === 'fs' ? '61' : '62'}0${String(contact++).padStart(4, '0')}`;
    gw.sim.messaging.addContact({ phone });
    const res = await postMessage({ to: `+${phone}`, ...body });
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = await json<{ id: string }>(res);
    const view = await gw.waitFor(
      `message ${id} sent, through the API`,
      async () => {
        const current = await json<MessageView>(await api.call('GET', `/api/messages/${id}`));
        if (current.status === 'failed') throw new Error(`message ${id} failed: ${current.statusReason}`);
        return current.status === 'sent' ? current : undefined;
      },
      60_000,
    );
    const got = await gw.sim.messaging.waitForMessage(
      (m) => m.id === view.waMessageId && m.recipientPhone === phone,
      30_000,
    );
    return { got, view };
  }

  it('sends an uploaded image by id, a video as base64, a document by URL and an MP3 voice note; peers verify each', async () => {
    const health = await json<{ checks: { media?: object } }>(await api.call('GET', '/api/health'));
    expect(health.checks.media).toMatchObject({ ok: true, backend });
    const form = new FormData();
    form.append('file', new Blob([files.jpeg]), 'photo.jpg');
    const headers = { 'x-api-key': uploadKey };
    const uploaded = await fetch(`${api.url}/api/media`, { method: 'POST', headers, body: form });
    expect(uploaded.status).toBe(201);
    const upload = await json<{ id: string }>(uploaded);
    const jpeg = { sha256: sha256Hex(files.jpeg), size: files.jpeg.length };
    expect(upload).toMatchObject({ id: jpeg.sha256, ...jpeg, mimetype: 'image/jpeg' });

    const sends: Array<[Buffer, string, Record<string, unknown>]> = [
      [files.jpeg, 'image', { media: { id: upload.id }, caption: 'by id' }],
      [files.mp4, 'video', { media: { base64: files.mp4.toString('base64') } }],
      [files.pdf, 'document', { media: { url: server.url('/invoice.pdf') }, fileName: 'invoice-7.pdf' }],
    ];
    for (const [source, type, body] of sends) {
      const { got, view } = await deliver({ type, ...body });
      const sha256 = sha256Hex(source);
      expect(got.media, type).toMatchObject({ type, verified: true, sha256 });
      // The view names the file the client gave, with a signed link to it.
      expect(view.media, type).toMatchObject({ type, sha256, size: source.length, url: signedLink });
    }
    expect(server.hits.get('/invoice.pdf')).toBe(1);

    // The worker converts the MP3 to Ogg/Opus into the store: the peer gets exactly that file.
    const voice = (await deliver({ type: 'voice', media: { base64: files.mp3.toString('base64') } })).got;
    expect(voice.media).toMatchObject({ type: 'audio', mimetype: VOICE_MIMETYPE, ptt: true, verified: true });
    const converted = voice.media?.sha256 ?? '';
    expect(converted).not.toBe(sha256Hex(files.mp3));
    const stored = await api.call('GET', `/api/media/${converted}`);
    expect(stored.status).toBe(200);
    expect(stored.headers.get('content-type')).toMatch(/^audio\/ogg/);
    expect(sha256Hex(await bytesOf(stored))).toBe(converted);
  }, 240_000);

  it('receives an image and a document from a peer: listed with signed links that serve its bytes, with Range; a tampered link is 403', async () => {
    const phone = await sessionPhone(gw, sessionId);
    const peer = gw.sim.messaging.addContact({ phone: `1555${backend === 'fs' ? '71' : '72'}00001` });
    const sent = [
      { type: 'image', data: files.jpeg, mimetype: 'image/jpeg', caption: 'a photo' },
      { type: 'document', data: files.pdf, mimetype: 'application/pdf', fileName: 'statement.pdf' },
    ] as const;
    const ids: string[] = [];
    for (const file of sent) ids.push((await peer.sendMedia(phone, { ...file })).id);

    const listed = await gw.waitFor(
      'both inbound files stored and listed',
      async () => {
        const page = await json<{ items: MessageView[] }>(
          await api.call('GET', `/api/sessions/${sessionId}/messages?direction=inbound&limit=50`),
        );
        const found = ids.map((id) => page.items.find((m) => m.waMessageId === id));
        return found.every((m) => m?.media?.url) ? (found as MessageView[]) : undefined;
      },
      60_000,
    );

    for (const [i, file] of sent.entries()) {
      const media = listed[i]?.media ?? { type: '' };
      expect(media).toMatchObject({
        type: file.type,
        sha256: sha256Hex(file.data),
        size: file.data.length,
        mimetype: file.mimetype,
        ...('fileName' in file ? { fileName: file.fileName } : {}),
      });
      const url = media.url ?? '';
      expect(url).toMatch(signedLink);
      // No API key: the signed link alone opens the file.
      const whole = await get(url);
      expect(whole.status).toBe(200);
      expect(sha256Hex(await bytesOf(whole))).toBe(sha256Hex(file.data));
      const part = await get(url, { range: 'bytes=0-99' });
      expect(part.status).toBe(206);
      const head = await bytesOf(part);
      expect(head.length).toBe(100);
      expect(head.equals(file.data.subarray(0, 100))).toBe(true);

      const signature = new URL(url, api.url).searchParams.get('signature') ?? '';
      // The first character: all its bits count (the last one of base64url HMAC carries padding bits).
      const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      const tampered = await get(url.replace(`signature=${signature}`, `signature=${flipped}`));
      expect(tampered.status).toBe(403);
      expect(await json<{ code: string }>(tampered)).toMatchObject({ code: 'MEDIA_LINK_INVALID' });
    }
  }, 120_000);

  it('refuses bad media on intake with its code, and writes no message', async () => {
    const outbound = async () => {
      const path = `/api/sessions/${sessionId}/messages?direction=outbound&limit=1000`;
      return (await json<{ items: unknown[] }>(await api.call('GET', path))).items.length;
    };
    const before = await outbound();
    const cases: Array<[number, string, Record<string, unknown>]> = [
      [
        413,
        'PAYLOAD_TOO_LARGE',
        { type: 'document', media: { base64: randomBytes(100_000).toString('base64') } },
      ],
      [404, 'MEDIA_NOT_FOUND', { type: 'image', media: { id: sha256Hex(randomBytes(32)) } }],
      [422, 'UNSUPPORTED_MEDIA', { type: 'sticker', media: { base64: files.png.toString('base64') } }],
    ];
    for (const [status, code, body] of cases) {
      const res = await postMessage({ to: '+15550009999', ...body });
      const answer = { status: res.status, code: (await json<{ code: string }>(res)).code };
      expect(answer, code).toEqual({ status, code });
    }
    expect(await outbound()).toBe(before);
  }, 60_000);
});
