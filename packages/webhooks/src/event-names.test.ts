import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, isValidEventFilter, matchesEventFilter } from './event-names.js';

describe('EVENT_NAMES', () => {
  it('lists the stable names (adding is fine, renaming breaks receivers)', () => {
    expect(EVENT_NAMES).toEqual(
      expect.arrayContaining([
        'session.status',
        'session.qr',
        'session.pairing_code',
        'message.received',
        'message.status',
        'batch.completed',
        'group.joined',
        'group.left',
        'group.updated',
        'group.participants',
        'chat.updated',
        'contact.updated',
        'webhook.test',
      ]),
    );
  });
});

describe('isValidEventFilter', () => {
  it.each([
    '*',
    'session.*',
    'message.*',
    'batch.*',
    'webhook.*',
    'webhook.test',
    'message.status',
    'session.pairing_code',
    'group.*',
    'group.participants',
    'chat.*',
    'chat.updated',
    'contact.updated',
  ])('accepts %s', (filter) => {
    expect(isValidEventFilter(filter)).toBe(true);
  });

  it.each(['', 'message', 'message.', 'messages.*', 'message.sent', '*.status', 'session.**', 'MESSAGE.*'])(
    'refuses %j',
    (filter) => {
      expect(isValidEventFilter(filter)).toBe(false);
    },
  );
});

describe('matchesEventFilter', () => {
  it('matches everything with *', () => {
    for (const event of EVENT_NAMES) expect(matchesEventFilter(['*'], event)).toBe(true);
  });

  it('matches exact names and groups', () => {
    expect(matchesEventFilter(['message.status'], 'message.status')).toBe(true);
    expect(matchesEventFilter(['message.status'], 'message.received')).toBe(false);
    expect(matchesEventFilter(['session.*'], 'session.qr')).toBe(true);
    expect(matchesEventFilter(['session.*'], 'message.received')).toBe(false);
    expect(matchesEventFilter(['session.qr', 'batch.*'], 'batch.completed')).toBe(true);
  });

  it('does not let a group match a longer group name or the bare group', () => {
    expect(matchesEventFilter(['message.*'], 'messages.received')).toBe(false);
    expect(matchesEventFilter(['message.*'], 'message.')).toBe(false);
  });

  it('matches nothing without filters', () => {
    expect(matchesEventFilter([], 'session.status')).toBe(false);
  });
});
