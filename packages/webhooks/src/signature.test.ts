import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  deliveryHeaders,
  generateWebhookSecret,
  isReservedHeaderName,
  isValidWebhookSecret,
  signWebhook,
  verifyWebhook,
  WEBHOOK_HEADERS,
} from './signature.js';

// `standardwebhooks` is the reference implementation of Standard Webhooks
// (https://www.standardwebhooks.com), used here as an independent verifier: if it accepts our
// signatures (and we accept its), receivers using any Standard Webhooks library can verify wagw's
// deliveries.
const body = JSON.stringify({
  id: '01JD3Z8Q4M0000000000000000',
  event: 'message.received',
  sessionId: '01JD3Z5V7K0000000000000000',
  timestamp: '2024-11-20T10:15:00.000Z',
  data: { text: 'héllo 👋' },
});
const now = () => Math.floor(Date.now() / 1000);

describe('signWebhook and verifyWebhook', () => {
  it('produces signatures the standardwebhooks library verifies (whsec_ secret)', () => {
    const secret = generateWebhookSecret();
    const headers = deliveryHeaders({
      secret,
      eventId: 'evt_1',
      event: 'message.received',
      sessionId: 's1',
      attempt: 1,
      body,
    });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('signs with the UTF-8 bytes of a plain secret, as the library does in raw mode', () => {
    const secret = 'a-shared-secret-of-the-receiver';
    const ts = now();
    const headers = {
      'webhook-id': 'evt_2',
      'webhook-timestamp': String(ts),
      'webhook-signature': signWebhook(secret, 'evt_2', ts, body),
    };
    expect(() => new Webhook(secret, { format: 'raw' }).verify(body, headers)).not.toThrow();
  });

  it('accepts signatures made by the standardwebhooks library', () => {
    const secret = generateWebhookSecret();
    const ts = now();
    const signature = new Webhook(secret).sign('evt_3', new Date(ts * 1000), body);
    const headers = {
      'webhook-id': 'evt_3',
      'webhook-timestamp': String(ts),
      'webhook-signature': signature,
    };
    expect(verifyWebhook(secret, headers, body)).toBe(true);
  });

  it('matches the library byte for byte', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signed = signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(signed).toBe(
      new Webhook(secret).sign(
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        new Date(1614265330 * 1000),
        '{"test": 2432232314}',
      ),
    );
  });

  it('refuses a wrong secret, a stale or future timestamp and a tampered body', () => {
    const secret = generateWebhookSecret();
    const ts = now();
    const headers = {
      'webhook-id': 'evt_4',
      'webhook-timestamp': String(ts),
      'webhook-signature': signWebhook(secret, 'evt_4', ts, body),
    };
    expect(verifyWebhook(secret, headers, body)).toBe(true);
    expect(verifyWebhook(generateWebhookSecret(), headers, body)).toBe(false);
    expect(verifyWebhook(secret, headers, body.replace('héllo', 'hello'))).toBe(false);
    expect(verifyWebhook(secret, { ...headers, 'webhook-id': 'evt_5' }, body)).toBe(false);
    expect(verifyWebhook(secret, headers, body, { nowSeconds: ts + 301 })).toBe(false);
    expect(verifyWebhook(secret, headers, body, { nowSeconds: ts - 301 })).toBe(false);
    expect(verifyWebhook(secret, headers, body, { nowSeconds: ts + 301, toleranceSeconds: 600 })).toBe(true);

    const stale = ts - 3600;
    const staleHeaders = {
      ...headers,
      'webhook-timestamp': String(stale),
      'webhook-signature': signWebhook(secret, 'evt_4', stale, body),
    };
    expect(verifyWebhook(secret, staleHeaders, body)).toBe(false);
    expect(() => new Webhook(secret).verify(body, staleHeaders)).toThrow(/too old/);
  });

  it('accepts a space-separated list where one signature matches (secret rotation)', () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const ts = now();
    const both = `${signWebhook(newSecret, 'evt_6', ts, body)} ${signWebhook(oldSecret, 'evt_6', ts, body)}`;
    const headers = { 'webhook-id': 'evt_6', 'webhook-timestamp': String(ts), 'webhook-signature': both };
    expect(verifyWebhook(oldSecret, headers, body)).toBe(true);
    expect(verifyWebhook(newSecret, headers, body)).toBe(true);
    expect(new Webhook(oldSecret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('refuses missing headers, other versions and malformed timestamps', () => {
    const secret = generateWebhookSecret();
    const ts = now();
    const sig = signWebhook(secret, 'evt_7', ts, body);
    expect(verifyWebhook(secret, { 'webhook-id': 'evt_7', 'webhook-timestamp': String(ts) }, body)).toBe(
      false,
    );
    expect(
      verifyWebhook(
        secret,
        {
          'webhook-id': 'evt_7',
          'webhook-timestamp': String(ts),
          'webhook-signature': sig.replace('v1,', 'v2,'),
        },
        body,
      ),
    ).toBe(false);
    expect(
      verifyWebhook(
        secret,
        { 'webhook-id': 'evt_7', 'webhook-timestamp': 'soon', 'webhook-signature': sig },
        body,
      ),
    ).toBe(false);
  });

  it('reads headers case-insensitively and from arrays, as node:http may hand them over', () => {
    const secret = generateWebhookSecret();
    const ts = now();
    const headers = {
      'Webhook-Id': 'evt_8',
      'WEBHOOK-TIMESTAMP': String(ts),
      'webhook-signature': [signWebhook(secret, 'evt_8', ts, body)],
    };
    expect(verifyWebhook(secret, headers, body)).toBe(true);
  });
});

describe('deliveryHeaders', () => {
  it('sets the id, timestamp, signature, event, session and attempt headers', () => {
    const headers = deliveryHeaders({
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      eventId: 'evt_9',
      event: 'session.status',
      sessionId: 's9',
      attempt: 3,
      body,
      nowSeconds: 1_700_000_000,
    });
    expect(headers).toEqual({
      [WEBHOOK_HEADERS.id]: 'evt_9',
      [WEBHOOK_HEADERS.timestamp]: '1700000000',
      [WEBHOOK_HEADERS.signature]: signWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'evt_9',
        1_700_000_000,
        body,
      ),
      'x-wagw-event': 'session.status',
      'x-wagw-session-id': 's9',
      'x-wagw-attempt': '3',
    });
  });

  it('signs nothing without a secret and omits the session header without a session', () => {
    const headers = deliveryHeaders({
      secret: null,
      eventId: 'batch.b1.completed',
      event: 'batch.completed',
      sessionId: null,
      attempt: 1,
      body,
    });
    expect(headers['webhook-signature']).toBeUndefined();
    expect(headers['x-wagw-session-id']).toBeUndefined();
    expect(Number(headers['webhook-timestamp'])).toBeCloseTo(now(), -1);
  });
});

describe('secrets', () => {
  it('generates whsec_ secrets of 32 random bytes that are valid and distinct', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(isValidWebhookSecret(a)).toBe(true);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it.each([
    [`whsec_${Buffer.alloc(24, 1).toString('base64')}`, true],
    [`whsec_${Buffer.alloc(64, 1).toString('base64')}`, true],
    [`whsec_${Buffer.alloc(23, 1).toString('base64')}`, false],
    [`whsec_${Buffer.alloc(65, 1).toString('base64')}`, false],
    ['whsec_not base64!!', false],
    ['whsec_', false],
    ['sixteen-chars-ok', true],
    ['fifteen-chars!!', false],
    ['x'.repeat(256), true],
    ['x'.repeat(257), false],
    ['has a space but is long enough', true],
    ['tab\tis-not-printable-ascii', false],
    ['non-ascii-sécret-long-enough', false],
  ])('isValidWebhookSecret(%j) = %s', (secret, valid) => {
    expect(isValidWebhookSecret(secret)).toBe(valid);
  });
});

describe('isReservedHeaderName', () => {
  it.each([
    'host',
    'Content-Length',
    'content-type',
    'transfer-encoding',
    'connection',
    'keep-alive',
    'upgrade',
    'te',
    'trailer',
    'expect',
    'proxy-authorization',
    'Proxy-Connection',
    'webhook-id',
    'webhook-signature',
    'webhook-anything',
    'x-wagw-event',
    'X-WAGW-Custom',
  ])('reserves %s', (name) => {
    expect(isReservedHeaderName(name)).toBe(true);
  });

  it.each(['authorization', 'x-api-key', 'user-agent', 'x-webhook-token', 'x-tenant'])(
    'allows %s',
    (name) => {
      expect(isReservedHeaderName(name)).toBe(false);
    },
  );
});
