import type { Contact, Repositories } from '@wagw/db';
import { AppError } from '@wagw/errors';
import {
  CONTACT_CHECK_MAX_NUMBERS,
  type ContactCheckResult,
  type RedisConnection,
  readContactChecks,
  type SessionRpcClient,
  toContactView as sharedContactView,
} from '@wagw/queue';
import type { z } from 'zod';
import { withRedis } from '../../lib/redis-guard.js';
import { fromSessionRpcError } from '../../lib/session-rpc-errors.js';
import type { SessionService } from '../sessions/sessions.service.js';
import { type ContactAddress, readContactAddress } from './contact-address.js';
import type { contactCheckView, contactView } from './contacts.schemas.js';

export interface ContactsServiceDeps {
  sessions: Pick<SessionService, 'get'>;
  repos: Pick<Repositories, 'contacts'>;
  redis: RedisConnection;
  redisPrefix: string;
  rpc: Pick<SessionRpcClient, 'call'>;
}

type CheckView = z.infer<typeof contactCheckView>;
type ContactView = z.infer<typeof contactView>;

/** Invalid numbers named in the message; all of them are in `details`. */
const NAMED_INVALID = 5;

/** The shared contact view (also `contact.updated`'s), checked against the route's schema. */
const toContactView = (row: Contact): ContactView => sharedContactView(row);

/**
 * Contacts of a session: the stored ones (from WhatsApp's contact events and the PN↔LID pairs the
 * worker learns), number checks answered from the shared cache or the session's socket, and
 * profile pictures from the socket. Either address form is accepted; answers carry both when known.
 */
export function createContactsService(deps: ContactsServiceDeps) {
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw fromSessionRpcError(err);
    }
  };

  function readAll(numbers: readonly string[]): ContactAddress[] {
    if (numbers.length > CONTACT_CHECK_MAX_NUMBERS) {
      throw new AppError(
        'TOO_MANY_NUMBERS',
        `at most ${CONTACT_CHECK_MAX_NUMBERS} numbers per check (got ${numbers.length}); split the list`,
      );
    }
    const addresses = numbers.map(readContactAddress);
    const invalid = addresses.flatMap((a, index) =>
      a.kind === 'invalid' ? [{ index, number: a.input, reason: a.reason }] : [],
    );
    if (invalid.length > 0) {
      const named = invalid.slice(0, NAMED_INVALID).map((i) => JSON.stringify(i.number));
      const more = invalid.length > NAMED_INVALID ? ` and ${invalid.length - NAMED_INVALID} more` : '';
      throw new AppError('INVALID_PHONE', `not a phone number or user JID: ${named.join(', ')}${more}`, {
        details: invalid,
      });
    }
    return addresses;
  }

  async function check(sessionId: string, numbers: readonly string[]): Promise<CheckView[]> {
    const addresses = readAll(numbers);
    await deps.sessions.get(sessionId);
    const phones = [...new Set(addresses.flatMap((a) => (a.kind === 'phone' ? [a.phone] : [])))];
    const answers = await withRedis(deps.redis, () =>
      readContactChecks(deps.redis, deps.redisPrefix, sessionId, phones),
    );
    const missing = phones.filter((phone) => !answers.has(phone));
    if (missing.length > 0) {
      const { results } = await call(() => deps.rpc.call(sessionId, 'contacts.check', { phones: missing }));
      for (const result of results) answers.set(result.phone, result);
    }
    // The other address form from what the session has learned (a LID WhatsApp did not repeat, a
    // LID given as input): LIDs exist only for WhatsApp accounts, so a known LID is on WhatsApp.
    const lookups = addresses.flatMap((a) => {
      if (a.kind === 'lid') return [a.lid];
      const answer = answers.get(a.kind === 'phone' ? a.phone : '');
      return answer?.exists && !answer.lid && answer.jid ? [answer.jid] : [];
    });
    const rows = await deps.repos.contacts.findByAddresses(sessionId, [...new Set(lookups)]);
    const byAddress = new Map<string, Contact>();
    for (const row of rows) {
      byAddress.set(row.jid, row);
      if (row.lid) byAddress.set(row.lid, row);
    }
    return addresses.map((a): CheckView => {
      if (a.kind === 'lid') {
        const row = byAddress.get(a.lid);
        return {
          number: a.input,
          exists: true,
          jid: row && !row.jid.endsWith('@lid') ? row.jid : null,
          lid: a.lid,
        };
      }
      const answer = answers.get(a.kind === 'phone' ? a.phone : '') as ContactCheckResult;
      const lid = answer.lid ?? (answer.jid ? (byAddress.get(answer.jid)?.lid ?? null) : null);
      return { number: a.input, exists: answer.exists, jid: answer.jid, lid: answer.exists ? lid : null };
    });
  }

  async function list(sessionId: string, page: { limit: number; cursor?: string }) {
    await deps.sessions.get(sessionId);
    const { items, nextCursor } = await deps.repos.contacts.listPage(sessionId, page);
    return { items: items.map(toContactView), nextCursor };
  }

  async function picture(sessionId: string, contactId: string, type: 'preview' | 'image') {
    const address = readContactAddress(contactId);
    if (address.kind === 'invalid') {
      throw new AppError('INVALID_RECIPIENT', `contact id ${JSON.stringify(contactId)}: ${address.reason}`);
    }
    await deps.sessions.get(sessionId);
    const asked = address.kind === 'lid' ? address.lid : address.jid;
    const [row] = await deps.repos.contacts.findByAddresses(sessionId, [asked]);
    const known = row ? toContactView(row) : undefined;
    const { url } = await call(() => deps.rpc.call(sessionId, 'contacts.picture', { jid: asked, type }));
    return {
      jid: address.kind === 'phone' ? address.jid : (known?.jid ?? null),
      lid: address.kind === 'lid' ? address.lid : (known?.lid ?? null),
      url,
    };
  }

  return { check, list, picture };
}

export type ContactsService = ReturnType<typeof createContactsService>;
