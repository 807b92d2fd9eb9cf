import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { createDatabase, type Database, hashApiKey } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { createFsMediaStore, type MediaStore } from '@wagw/media';
import { createProducerConnection, QUEUES, type RedisConnection, waitUntilReady } from '@wagw/queue';
import { createTempDir, redisUrl, uniquePrefix } from '@wagw/testing';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { type AppDeps, buildApp } from '../src/app.js';
import type { MediaSettings } from '../src/routes/media/media.service.js';
import { TEST_API_KEY } from './api-test-app.js';

// The app with a media store on a temp dir, and small valid files to upload (media*.test.ts).
export const SECRET = 'media-link-secret-for-tests-0123456789';
export const MAX_BYTES = 16 * 1024;
export const SESSION_KEY = 'media-session-key-0123456789';

export interface MediaApp {
  app: FastifyInstance;
  store: MediaStore;
  db: Database;
  redis: RedisConnection;
  /** This app's QUEUE_PREFIX. */
  prefix: string;
  /** The session the session key (SESSION_KEY) belongs to. */
  sessionId: string;
  /** The temp dir holding the SQLite file (wagw.db) and the media store (media/). */
  dataDir: string;
  close(): Promise<void>;
}

export interface MediaAppOptions {
  /** Wraps the filesystem store (a store that fails or hangs). */
  wrapStore?: (store: MediaStore) => MediaStore;
  /** Media settings beyond the defaults here (MAX_BYTES, SECRET, a 1 h link, 16 KiB inline, /usr/bin/ffmpeg). */
  media?: Partial<Omit<MediaSettings, 'store'>>;
  /** App settings beyond the defaults here (fuzz.test.ts: no auth-failure limit, a stub DNS, short pairing wait). */
  app?: Partial<Pick<AppDeps, 'webhooks' | 'pairingWaitMs'>> & { config?: Partial<AppDeps['config']> };
}

/** The app as main.ts builds it, with a media store (createTestApp builds it without one). */
export async function startMediaApp(options: MediaAppOptions = {}): Promise<MediaApp> {
  const wrapStore = options.wrapStore ?? ((store: MediaStore) => store);
  const dir = createTempDir('wagw-api-media-');
  const db = await createDatabase({ url: `file:${dir.path}/wagw.db` });
  await db.migrate();
  const prefix = uniquePrefix('api-media');
  const redis = createProducerConnection(redisUrl(), { connectTimeout: 500 });
  redis.on('error', () => {});
  await waitUntilReady(redis);
  const sessionCommands = new Queue(QUEUES.sessionCommands, { connection: redis, prefix });
  sessionCommands.on('error', () => {});
  await sessionCommands.getVersion();
  const session = await db.repos.sessions.create({ name: 'media' });
  const keyHash = hashApiKey(SESSION_KEY);
  await db.repos.apiKeys.create({ name: 'media', keyHash, prefix: 'media-se', sessionId: session.id });
  const store = wrapStore(createFsMediaStore({ root: join(dir.path, 'media') }));
  const app = await buildApp({
    config: {
      apiKey: TEST_API_KEY,
      bodyLimit: 1024 * 1024,
      trustProxy: false,
      rateLimitPerMinute: 0,
      ...options.app?.config,
    },
    webhooks: options.app?.webhooks,
    pairingWaitMs: options.app?.pairingWaitMs,
    logger: createLogger({ name: 'api-media-test', level: 'silent' }),
    db,
    redis,
    sessionCommands,
    redisPrefix: prefix,
    redisUrl: redisUrl(),
    healthCheckTimeoutMs: 500,
    loadShedding: { maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 },
    media: {
      store,
      maxBytes: MAX_BYTES,
      urlSecret: SECRET,
      urlTtlMs: 3600_000,
      base64MaxBytes: MAX_BYTES,
      ffmpegPath: '/usr/bin/ffmpeg',
      ...options.media,
    },
  });
  await app.ready();
  return {
    app,
    store,
    db,
    redis,
    prefix,
    sessionId: session.id,
    dataDir: dir.path,
    async close() {
      await app.close();
      await sessionCommands.obliterate({ force: true });
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      await sessionCommands.close();
      await db.close();
      redis.disconnect();
      dir.cleanup();
    },
  };
}

/** A valid 32x32 RGB PNG of noise (a few KB): signature, IHDR, one IDAT, IEND, each with its CRC. */
export function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(32, 0);
  header.writeUInt32BE(32, 4);
  header.set([8, 2, 0, 0, 0], 8);
  // Noise does not compress, so the file is larger than the ranges asked for; filter byte 0 per row.
  const rows = Buffer.alloc(32 * (1 + 32 * 3));
  for (let i = 0; i < rows.length; i++) rows[i] = Math.imul(i, 2654435761) >>> 24;
  for (let row = 0; row < 32; row++) rows[row * 97] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A small PDF with one empty page, padded past 100 bytes of content for the range tests. */
export const pdf = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n' +
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A multipart/form-data body with the given parts, as a browser or curl -F sends it. */
export function multipart(
  parts: Array<{ name: string; filename?: string; type?: string; data: Buffer | string }>,
) {
  const boundary = '----wagw-test-boundary';
  const chunks = parts.flatMap((part) => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"` +
        `${part.filename ? `; filename="${part.filename}"` : ''}\r\n` +
        `${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`,
    ),
    Buffer.from(part.data),
    Buffer.from('\r\n'),
  ]);
  return {
    payload: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
