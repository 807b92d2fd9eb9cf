import { createEvent } from '@wagw/queue';
import { describe, expect, it } from 'vitest';
import { matches } from './event-stream.js';

describe('matches', () => {
  const event = createEvent('session.status', 's1', {});

  it('passes everything without a filter', () => {
    expect(matches(event, {})).toBe(true);
  });

  it('filters by session and by event name', () => {
    expect(matches(event, { sessionId: 's1' })).toBe(true);
    expect(matches(event, { sessionId: 's2' })).toBe(false);
    expect(matches(event, { events: new Set(['session.status', 'session.qr']) })).toBe(true);
    expect(matches(event, { events: new Set(['message.received']) })).toBe(false);
  });

  it('a session filter excludes events without a session', () => {
    expect(matches(createEvent('system.health', null, {}), { sessionId: 's1' })).toBe(false);
  });
});
