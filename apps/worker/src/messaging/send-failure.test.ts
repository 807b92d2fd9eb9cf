import { Boom } from '@hapi/boom';
import { describe, expect, it } from 'vitest';
import { classifyCode, isNotInGroup } from './send-failure.js';

/** What Baileys throws for an IQ answered with `<error code text/>` (assertNodeErrorFree). */
const iqError = (code: number, text: string) => new Boom(text, { data: code });

describe('send failures', () => {
  it('ack codes: 429 pauses, 5xx and 408 retry, other 4xx fail the message', () => {
    expect(classifyCode('rate-overlimit')).toBe('rate-limited');
    expect(classifyCode(429)).toBe('rate-limited');
    expect(classifyCode(500)).toBe('transient');
    expect(classifyCode(408)).toBe('transient');
    expect(classifyCode(463)).toBe('permanent');
    expect(classifyCode('nonsense')).toBe('transient');
  });

  it('a group member-list query refused with 403/404 means the session is not in the group', () => {
    const group = '120363012345678901@g.us';
    expect(isNotInGroup(iqError(403, 'forbidden'), group)).toBe(true);
    expect(isNotInGroup(iqError(404, 'item-not-found'), group)).toBe(true);
    // The server's trouble, a closed connection, or not a group at all: none of that says so.
    expect(isNotInGroup(iqError(500, 'internal-server-error'), group)).toBe(false);
    expect(isNotInGroup(new Boom('Connection Closed', { statusCode: 428 }), group)).toBe(false);
    expect(isNotInGroup(iqError(403, 'forbidden'), '15550001111@s.whatsapp.net')).toBe(false);
  });
});
