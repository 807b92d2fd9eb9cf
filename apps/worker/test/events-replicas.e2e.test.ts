import { openEventStream } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway();
  await gw.startWorker('w1');
});
afterAll(() => gw?.close());

describe('live event stream behind a load balancer', () => {
  it('an SSE client on replica A sees a session status change triggered through replica B', async () => {
    const [a, b] = await Promise.all([gw.startApi(), gw.startApi()]);
    const created = await b.call('POST', '/api/sessions', { name: 'replicas', start: false });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const stream = await openEventStream(`${a.url}/api/events?sessionId=${id}&event=session.status`, {
      'x-api-key': 'e2e-admin-key-0123456789',
    });
    try {
      expect(stream.res.status).toBe(200);
      const started = await b.call('POST', `/api/sessions/${id}/start`);
      expect(started.status).toBeLessThan(300);
      const message = await stream.next(15_000);
      expect(message.event).toBe('session.status');
      const envelope = JSON.parse(message.data ?? '{}');
      expect(envelope).toMatchObject({ event: 'session.status', sessionId: id });
      expect(['starting', 'qr', 'connecting']).toContain(envelope.data.status);
    } finally {
      stream.close();
    }
  });
});
