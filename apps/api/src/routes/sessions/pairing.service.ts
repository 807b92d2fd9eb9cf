import { AppError } from '@wagw/errors';
import { type RedisConnection, redisKeys } from '@wagw/queue';
import { sleep } from '@wagw/resilience';
import { withRedis } from '../../lib/redis-guard.js';
import type { SessionService } from './sessions.service.js';

/** A request the owner has not picked up within this time is stale: WhatsApp codes expire too. */
const PAIRING_REQUEST_TTL_MS = 120_000;

/** E.164 without separators: 8-15 digits, optionally written with a leading '+'. */
const PHONE = /^\+?(\d{8,15})$/;

export interface PairingServiceDeps {
  sessions: Pick<SessionService, 'get' | 'command'>;
  redis: RedisConnection;
  redisPrefix: string;
  /** How long a request waits for the worker's code before answering 202 pending. Default 10000 ms. */
  waitMs?: number;
  /** How often Redis is polled for the code while waiting. Default 250 ms. */
  pollIntervalMs?: number;
}

export type PairingResult = { code: string } | { status: 'pending' };

/**
 * Pairing by phone number: the API leaves a request in Redis and starts the session; the owning
 * worker asks WhatsApp for a code and stores it next to the request, where the API picks it up.
 */
export function createPairingService(deps: PairingServiceDeps) {
  const keys = redisKeys(deps.redisPrefix);
  const waitMs = deps.waitMs ?? 10_000;
  const pollIntervalMs = deps.pollIntervalMs ?? 250;

  async function readCode(sessionId: string): Promise<string | null> {
    return withRedis(deps.redis, () => deps.redis.get(keys.pairingCode(sessionId)));
  }

  async function request(sessionId: string, phoneInput: string, requestId?: string): Promise<PairingResult> {
    const phone = PHONE.exec(phoneInput)?.[1];
    if (!phone) {
      throw new AppError('INVALID_PHONE', 'phone must be 8-15 digits, optionally with a leading +');
    }
    const session = await deps.sessions.get(sessionId);
    if (session.meJid && session.status === 'open') {
      throw new AppError(
        'SESSION_STATE_CONFLICT',
        `session ${sessionId} is already paired; log it out before pairing another number`,
      );
    }
    await withRedis(deps.redis, async () => {
      // One transaction: a code left from an earlier request must never answer this one.
      await deps.redis
        .multi()
        .set(
          keys.pairingRequest(sessionId),
          JSON.stringify({ phone, requestedAt: Date.now() }),
          'PX',
          PAIRING_REQUEST_TTL_MS,
        )
        .del(keys.pairingCode(sessionId))
        .exec();
    });
    // Written after the request, so the worker that starts the session already sees it.
    await deps.sessions.command(sessionId, 'start', requestId);

    const deadline = Date.now() + waitMs;
    for (;;) {
      const code = await readCode(sessionId);
      if (code) return { code };
      if (Date.now() + pollIntervalMs > deadline) return { status: 'pending' };
      await sleep(pollIntervalMs);
    }
  }

  async function current(sessionId: string): Promise<string> {
    await deps.sessions.get(sessionId);
    const code = await readCode(sessionId);
    if (!code) {
      throw new AppError('PAIRING_CODE_NOT_AVAILABLE', `no pairing code for session ${sessionId} yet`);
    }
    return code;
  }

  return { request, current };
}

export type PairingService = ReturnType<typeof createPairingService>;
