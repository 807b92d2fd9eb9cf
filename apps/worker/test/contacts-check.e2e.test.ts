import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

let gw: Gateway;
let api: Awaited<ReturnType<Gateway['startApi']>>;
let worker: ChildProcess;
let sessionId: string;

/** Half of the numbers checked are on the simulated WhatsApp, half are not. */
const ON_WHATSAPP = Array.from({ length: 50 }, (_, i) => `1555400${String(i).padStart(4, '0')}`);
const NOT_ON_WHATSAPP = Array.from({ length: 50 }, (_, i) => `1555401${String(i).padStart(4, '0')}`);
const BUDGET = 500;

beforeAll(async () => {
  gw = await startGateway({ workerEnv: { CONTACT_CHECK_PER_HOUR: String(BUDGET) } });
  await gw.startWorker('w1');
  api = await gw.startApi({ SESSION_RPC_TIMEOUT: '8000' });
  for (const phone of ON_WHATSAPP) gw.sim.messaging.addContact({ phone });
  const session = await gw.createSession('contacts', { linked: true });
  sessionId = session.id;
  await gw.waitForStatus(sessionId, 'open', 30_000);
  // w1 or one of its peers (E2E_WORKERS): the worker the API asks is the session's owner.
  worker = (await gw.ownerWorker(sessionId)).process;
});
afterAll(() => gw?.close());

const usync = () => ({ ...gw.sim.counters.usync });
const check = (numbers: unknown, id = sessionId) =>
  api.call('POST', `/api/sessions/${id}/contacts/check`, { numbers });

/** The numbers in the forms clients send: +E.164 with separators, bare digits, PN JIDs. */
function asWritten(phone: string, i: number): string {
  if (i % 3 === 0) return `+${phone.slice(0, 1)} ${phone.slice(1, 4)}-${phone.slice(4, 7)}-${phone.slice(7)}`;
  if (i % 3 === 1) return phone;
  return `${phone}@s.whatsapp.net`;
}

describe('POST /api/sessions/:id/contacts/check against the simulator', () => {
  const numbers = [...ON_WHATSAPP, ...NOT_ON_WHATSAPP].map(asWritten);

  it('answers 100 numbers, half on WhatsApp, with their JIDs and LIDs', async () => {
    const before = usync();
    const res = await check(numbers);
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as {
      results: Array<{ number: string; exists: boolean; jid: string | null; lid: string | null }>;
    };
    expect(results).toHaveLength(100);
    results.forEach((result, i) => {
      const phone = [...ON_WHATSAPP, ...NOT_ON_WHATSAPP][i] as string;
      const contact = gw.sim.messaging.contact(phone);
      expect(result.number).toBe(numbers[i]);
      expect(result).toEqual(
        contact
          ? { number: numbers[i], exists: true, jid: contact.pn, lid: contact.lid }
          : { number: numbers[i], exists: false, jid: null, lid: null },
      );
    });
    const after = usync();
    // Batched: 100 numbers in a few usync queries, each number asked once.
    expect(after.contactNumbers - before.contactNumbers).toBe(100);
    expect(after.contactQueries - before.contactQueries).toBeGreaterThanOrEqual(2);
    expect(after.contactQueries - before.contactQueries).toBeLessThanOrEqual(4);
  });

  it('answers the same check again within the TTL without asking WhatsApp', async () => {
    const before = usync();
    const res = await check(numbers);
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: Array<{ exists: boolean }> };
    expect(results.filter((r) => r.exists)).toHaveLength(50);
    expect(usync()).toEqual(before);
  });

  it('asks WhatsApp once when the same new numbers are checked twice at once', async () => {
    const fresh = Array.from({ length: 20 }, (_, i) => `1555404${String(i).padStart(4, '0')}`);
    const before = usync();
    const [a, b] = await Promise.all([check(fresh), check(fresh)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await a.json()).toEqual(await b.json());
    expect(usync().contactNumbers - before.contactNumbers).toBe(20);
  });

  it('stores the PN↔LID pairs it learned, so a LID is accepted and answered with its number', async () => {
    const contact = gw.sim.messaging.contact(ON_WHATSAPP[0] as string);
    if (!contact) throw new Error('contact missing');
    await gw.waitFor('the LID mapping in the contacts table', async () => {
      const rows = await gw.db.repos.contacts.findByAddresses(sessionId, [contact.lid]);
      return rows[0]?.jid === contact.pn || undefined;
    });
    const before = usync();
    const res = await check([contact.lid]);
    expect(await res.json()).toEqual({
      results: [{ number: contact.lid, exists: true, jid: contact.pn, lid: contact.lid }],
    });
    expect(usync()).toEqual(before);

    const page = await api.call('GET', `/api/sessions/${sessionId}/contacts?limit=20`);
    const body = (await page.json()) as {
      items: Array<{ id: string; jid: string; lid: string }>;
      nextCursor: string;
    };
    expect(body.items).toContainEqual(expect.objectContaining({ jid: contact.pn, lid: contact.lid }));
    expect(body.items).toHaveLength(20);
    const next = await api.call(
      'GET',
      `/api/sessions/${sessionId}/contacts?limit=20&cursor=${body.nextCursor}`,
    );
    const second = (await next.json()) as { items: Array<{ id: string }> };
    // The next page goes on after the last id of the first, in order.
    expect(second.items.length).toBeGreaterThan(0);
    expect((second.items[0]?.id ?? '') > (body.items.at(-1)?.id ?? '')).toBe(true);
  });

  it('answers a profile picture by number or LID, and null for a number not on WhatsApp', async () => {
    const contact = gw.sim.messaging.contact(ON_WHATSAPP[1] as string);
    if (!contact) throw new Error('contact missing');
    for (const id of [contact.phone, encodeURIComponent(contact.lid)]) {
      const res = await api.call('GET', `/api/sessions/${sessionId}/contacts/${id}/picture`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        jid: contact.pn,
        lid: contact.lid,
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/pp\//),
      });
    }
    const none = await api.call('GET', `/api/sessions/${sessionId}/contacts/${NOT_ON_WHATSAPP[0]}/picture`);
    expect(await none.json()).toMatchObject({ url: null });
  });

  it('refuses bad input with its 4xx code, asking WhatsApp nothing', async () => {
    const before = usync();
    const tooMany = await check(
      Array.from({ length: 501 }, (_, i) => `1555402${String(i).padStart(4, '0')}`),
    );
    expect(tooMany.status).toBe(400);
    const tooManyBody = (await tooMany.json()) as { code: string; message: string };
    expect(tooManyBody.code).toBe('TOO_MANY_NUMBERS');
    expect(tooManyBody.message).toContain('500');

    const invalid = await check(['+15554000000', 'call me', '+12', '0049 151 1234567']);
    expect(invalid.status).toBe(400);
    const invalidBody = (await invalid.json()) as { code: string; details: Array<{ number: string }> };
    expect(invalidBody.code).toBe('INVALID_PHONE');
    expect(invalidBody.details.map((d) => d.number)).toEqual(['call me', '+12', '0049 151 1234567']);

    expect((await check([])).status).toBe(400);
    expect((await check('15554000000')).status).toBe(400);
    const unknown = await check(['15554000000'], 'no-such-session');
    expect(unknown.status).toBe(404);
    const badId = await api.call('GET', `/api/sessions/${sessionId}/contacts/not-a-number/picture`);
    expect(((await badId.json()) as { code: string }).code).toBe('INVALID_RECIPIENT');

    // The session's budget (CONTACT_CHECK_PER_HOUR=500) has 120 lookups spent: 450 more are refused whole.
    const fresh = Array.from({ length: 450 }, (_, i) => `1555403${String(i).padStart(4, '0')}`);
    const limited = await check(fresh);
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { code: string }).code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(usync()).toEqual(before);
  });

  it('answers SESSION_NOT_OPEN for a session no worker runs', async () => {
    const stopped = await gw.db.repos.sessions.create({ name: 'not-running' });
    const res = await check(['15554050000'], stopped.id);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe('SESSION_NOT_OPEN');
  });

  it('a stalled owner: 504 SESSION_OWNER_TIMEOUT, and the request is dropped when it wakes; then its death', async () => {
    const before = usync();
    worker.kill('SIGSTOP');
    try {
      const res = await check(['15554060000']);
      expect(res.status).toBe(504);
      expect(((await res.json()) as { code: string }).code).toBe('SESSION_OWNER_TIMEOUT');
    } finally {
      worker.kill('SIGCONT');
    }
    // Awake again, it finds the request past its deadline and never asks WhatsApp.
    await new Promise((r) => setTimeout(r, 2000));
    expect(usync().contactNumbers).toBe(before.contactNumbers);

    // Every worker dies (with E2E_WORKERS a peer may have taken the session over during the stall).
    for (const id of gw.workerIds()) gw.workers.get(id)?.kill('SIGKILL');
    const gone = await gw.waitFor(
      'the dead owner answered as not open',
      async () => {
        const res = await check(['15554060000']);
        return res.status === 409 ? res : undefined;
      },
      30_000,
    );
    expect(((await gone.json()) as { code: string }).code).toBe('SESSION_NOT_OPEN');

    // Another worker takes the session over; the cached answers still hold, the new number is asked.
    await gw.startWorker('w2');
    await gw.waitFor(
      'the session open on w2',
      async () => (await gw.ownerOf(sessionId)) === 'w2' && (await check(['15554060000'])).status === 200,
      45_000,
    );
  });
});
