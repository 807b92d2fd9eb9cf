import type { Logger } from '@wagw/logger';
import {
  type ContactCheckResult,
  type RedisConnection,
  readContactChecks,
  SessionRpcError,
  writeContactChecks,
} from '@wagw/queue';
import { sleep } from '@wagw/resilience';
import { USyncQuery, USyncUser, type WASocket } from '@whiskeysockets/baileys';
import type { ContactCheckBudget } from './contact-check-budget.js';
import { queryFailure } from './query-errors.js';
import { matchUsyncContacts } from './usync-contacts.js';

/** Numbers per usync query: WhatsApp Web syncs contacts in small batches, never hundreds at once. */
const USYNC_BATCH = 50;
/** Pause between two batches of one check, so a long list does not reach WhatsApp as a burst. */
const BATCH_GAP_MS = 300;

export interface ContactCheckDeps {
  redis: RedisConnection;
  prefix: string;
  /** CONTACT_CHECK_TTL: how long an answer is reused instead of asking WhatsApp again. */
  ttlMs: number;
  budget: ContactCheckBudget;
  logger: Logger;
}

type CheckSocket = Pick<WASocket, 'executeUSyncQuery' | 'signalRepository'>;

/**
 * "Which of these numbers are on WhatsApp, and what are their LIDs": cached answers first, then
 * the rest from the session's budget (contact-check-budget.ts) in usync batches with the contact
 * and LID protocols. Every answer is cached as soon as its batch is in, and the PN↔LID pairs are
 * handed to Baileys' own mapping store, which the worker mirrors into the contacts table.
 */
export function createContactCheck(deps: ContactCheckDeps) {
  async function queryBatch(sock: CheckSocket, phones: string[]): Promise<ContactCheckResult[]> {
    const query = new USyncQuery().withContactProtocol().withLIDProtocol();
    for (const phone of phones) query.withUser(new USyncUser().withPhone(`+${phone}`));
    const answer = await sock.executeUSyncQuery(query).catch((err: unknown) => {
      throw queryFailure(err, 'contact query');
    });
    if (!answer)
      throw new SessionRpcError('WHATSAPP_QUERY_FAILED', 'WhatsApp answered the contact query with an error');
    return matchUsyncContacts(phones, answer.list);
  }

  async function rememberMappings(sessionId: string, sock: CheckSocket, results: ContactCheckResult[]) {
    const pairs = results.flatMap((r) => (r.jid && r.lid ? [{ pn: r.jid, lid: r.lid }] : []));
    if (pairs.length === 0) return;
    await sock.signalRepository.lidMapping
      .storeLIDPNMappings(pairs)
      .catch((err) =>
        deps.logger.warn({ err, sessionId }, 'storing LID mappings from a contact check failed'),
      );
  }

  async function run(
    sessionId: string,
    sock: CheckSocket,
    phones: readonly string[],
    signal: AbortSignal,
  ): Promise<ContactCheckResult[]> {
    if (signal.aborted) throw new SessionRpcError('SESSION_OWNER_TIMEOUT', 'the caller stopped waiting');
    const unique = [...new Set(phones)];
    const known = await readContactChecks(deps.redis, deps.prefix, sessionId, unique);
    const missing = unique.filter((phone) => !known.has(phone));
    await deps.budget.take(sessionId, missing.length);
    for (let i = 0; i < missing.length; i += USYNC_BATCH) {
      if (i > 0) await sleep(BATCH_GAP_MS, signal);
      if (signal.aborted) throw new SessionRpcError('SESSION_OWNER_TIMEOUT', 'the caller stopped waiting');
      const results = await queryBatch(sock, missing.slice(i, i + USYNC_BATCH));
      await writeContactChecks(deps.redis, deps.prefix, sessionId, results, deps.ttlMs);
      for (const result of results) known.set(result.phone, result);
      await rememberMappings(sessionId, sock, results);
    }
    return phones.map((phone) => known.get(phone) as ContactCheckResult);
  }

  // One check at a time per session: a second check of the same numbers waits and then finds them
  // cached instead of asking WhatsApp again, and one session never has two lookups in flight.
  const queues = new Map<string, Promise<unknown>>();
  return function check(
    sessionId: string,
    sock: CheckSocket,
    phones: readonly string[],
    signal: AbortSignal,
  ): Promise<ContactCheckResult[]> {
    const before = queues.get(sessionId) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(() => run(sessionId, sock, phones, signal));
    queues.set(sessionId, mine);
    void mine
      .catch(() => undefined)
      .finally(() => {
        if (queues.get(sessionId) === mine) queues.delete(sessionId);
      });
    return mine;
  };
}

export type ContactCheck = ReturnType<typeof createContactCheck>;
