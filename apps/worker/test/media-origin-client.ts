import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadWorkerConfig } from '@wagw/config';
import { createLogger } from '@wagw/logger';
import {
  downloadContentFromMessage,
  encryptedStream,
  getHttpStream,
  getWAUploadToServer,
  type SocketConfig,
  uploadWithNodeHttp,
} from '@whiskeysockets/baileys';
import { createMediaTransport, type MediaTransport } from '../src/sessions/media-origin.js';

/**
 * The client half of media-origin.test.ts, run as its own process because NODE_EXTRA_CA_CERTS is read
 * once at process start. It reads WA_MEDIA_ORIGIN_OVERRIDE through the worker's config, builds the
 * worker's media transport and drives Baileys' real upload and download functions with it, then
 * prints one JSON report on stdout. Argument: `roundtrip` or `probe`.
 */
export const mediaOriginClientScript = fileURLToPath(import.meta.url);

export interface RoundtripReport {
  /** SHA-256 (base64) of the encrypted file Baileys uploaded. */
  fileEncSha256: string;
  directPath: string;
  /** SHA-256 (hex) of the plaintext before upload and after a full download and decryption. */
  plainSha256: string;
  downloadedSha256: string;
  /** Plaintext bytes 1000..4999 as Baileys decrypts them from a ranged download, and the original. */
  rangeSha256: string;
  expectedRangeSha256: string;
  /** Length of a raw `Range: bytes=0-99` download of the encrypted blob. */
  rawRangeLength: number;
}

export interface ProbeReport {
  uploadError?: string;
  downloadError?: string;
}

const MEDIA_HOST = 'mmg.whatsapp.net';

async function roundtrip(media: MediaTransport): Promise<RoundtripReport> {
  const logger = createLogger({ name: 'worker', level: 'silent', pretty: false }) as never;
  const plain = randomBytes(64 * 1024 + 7);
  const enc = await encryptedStream(plain, 'image', { logger });
  // What media_conn would answer; the upload URL is then https://mmg.whatsapp.net/mms/image/…
  const refreshMediaConn = async () => ({
    auth: 'test-auth',
    ttl: 300,
    hosts: [{ hostname: MEDIA_HOST, maxContentLengthBytes: 100 * 1024 * 1024 }],
    fetchDate: new Date(),
  });
  const config = { customUploadHosts: [], fetchAgent: media.fetchAgent, logger, options: {} };
  const upload = getWAUploadToServer(config as unknown as SocketConfig, refreshMediaConn);
  const uploaded = await upload(enc.encFilePath, {
    mediaType: 'image',
    fileEncSha256B64: enc.fileEncSha256.toString('base64'),
    timeoutMs: 10_000,
  });
  const message = { mediaKey: enc.mediaKey, directPath: uploaded.directPath, url: uploaded.mediaUrl };
  const full = await downloadContentFromMessage(message, 'image', { options: media.downloadOptions });
  const ranged = await downloadContentFromMessage(message, 'image', {
    startByte: 1000,
    endByte: 5000,
    options: media.downloadOptions,
  });
  const raw = await getHttpStream(`https://${MEDIA_HOST}${uploaded.directPath}`, {
    ...media.downloadOptions,
    headers: { Range: 'bytes=0-99' },
  });
  await rm(enc.encFilePath, { force: true });
  return {
    fileEncSha256: enc.fileEncSha256.toString('base64'),
    directPath: uploaded.directPath,
    plainSha256: sha256(plain),
    downloadedSha256: sha256(await readAll(full)),
    rangeSha256: sha256(await readAll(ranged)),
    expectedRangeSha256: sha256(plain.subarray(1000, 5000)),
    rawRangeLength: (await readAll(raw)).length,
  };
}

/** One upload and one download attempt; reports how each failed (an error code) or nothing. */
async function probe(media: MediaTransport, dir: string): Promise<ProbeReport> {
  const report: ProbeReport = {};
  const filePath = join(dir, 'blob');
  await writeFile(filePath, randomBytes(1024));
  try {
    await uploadWithNodeHttp({
      url: `https://${MEDIA_HOST}/mms/image/probe?auth=x&token=probe`,
      filePath,
      headers: {},
      timeoutMs: 10_000,
      agent: media.fetchAgent,
    });
  } catch (err) {
    report.uploadError = errorCode(err);
  }
  try {
    await readAll(await getHttpStream(`https://${MEDIA_HOST}/v/t62/probe.enc`, media.downloadOptions));
  } catch (err) {
    // fetch wraps the connection error: TypeError('fetch failed') with the TLS error as its cause.
    report.downloadError = errorCode((err as { cause?: unknown }).cause ?? err);
  }
  return report;
}

function errorCode(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  return code ?? message ?? String(err);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function main(mode: string | undefined): Promise<void> {
  const media = createMediaTransport(loadWorkerConfig(process.env).whatsapp.mediaOriginOverride);
  if (!media) throw new Error('WA_MEDIA_ORIGIN_OVERRIDE is not set');
  const dir = await mkdtemp(join(tmpdir(), 'wagw-media-origin-'));
  try {
    const report = mode === 'probe' ? await probe(media, dir) : await roundtrip(media);
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Keep-alive sockets to the CDN would hold the process open.
  media.fetchAgent.destroy();
  await media.downloadOptions.dispatcher.close();
}

if (process.argv[1] === mediaOriginClientScript) await main(process.argv[2]);
