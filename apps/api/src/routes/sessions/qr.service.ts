import { AppError } from '@wagw/errors';
import { type RedisConnection, redisKeys } from '@wagw/queue';
import QRCode from 'qrcode';
import { withRedis } from '../../lib/redis-guard.js';
import type { SessionService } from './sessions.service.js';

export const QR_FORMATS = ['json', 'png', 'svg', 'raw'] as const;
export type QrFormat = (typeof QR_FORMATS)[number];

export interface QrServiceDeps {
  sessions: Pick<SessionService, 'get'>;
  redis: RedisConnection;
  redisPrefix: string;
}

/**
 * Reads the QR the owning worker keeps in Redis (it rotates about every 20 s and expires within a
 * minute) and renders it. The API holds no QR state of its own.
 */
export function createQrService(deps: QrServiceDeps) {
  const keys = redisKeys(deps.redisPrefix);

  async function current(sessionId: string): Promise<{ qr: string; expiresInMs: number }> {
    const session = await deps.sessions.get(sessionId);
    const key = keys.qr(sessionId);
    const [qr, ttl] = await withRedis(deps.redis, async () => {
      const results = (await deps.redis.multi().get(key).pttl(key).exec()) ?? [];
      return results.map(([, value]) => value) as [string | null, number];
    });
    if (!qr) {
      const hint =
        session.status === 'open'
          ? 'it is already paired'
          : session.desiredState === 'stopped'
            ? 'start it first'
            : 'wait for the worker to publish one';
      throw new AppError(
        'QR_NOT_AVAILABLE',
        `no QR available for session ${sessionId}: its status is ${session.status} (${hint})`,
      );
    }
    // PTTL is -1 without expiry and -2 if it vanished between the two reads; report 0, not negatives.
    return { qr, expiresInMs: Math.max(ttl, 0) };
  }

  return { current };
}

export type QrService = ReturnType<typeof createQrService>;

/** Same size defaults for both images: big enough for a phone camera from a laptop screen. */
const RENDER = { margin: 2, width: 320, errorCorrectionLevel: 'M' } as const;

export function renderPng(qr: string): Promise<Buffer> {
  return QRCode.toBuffer(qr, { ...RENDER, type: 'png' });
}

export function renderSvg(qr: string): Promise<string> {
  return QRCode.toString(qr, { ...RENDER, type: 'svg' });
}

/**
 * `?format=` wins; otherwise the Accept header picks an image or plain text; JSON by default.
 * Only exact media types are honoured, so a browser's `*\/*` still gets JSON.
 */
export function negotiateQrFormat(format: QrFormat | undefined, accept: string | undefined): QrFormat {
  if (format) return format;
  const types = (accept ?? '').split(',').map((part) => part.split(';')[0]?.trim().toLowerCase());
  if (types.includes('image/png')) return 'png';
  if (types.includes('image/svg+xml')) return 'svg';
  if (types.includes('text/plain')) return 'raw';
  return 'json';
}
