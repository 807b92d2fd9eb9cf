import { execFileSync } from 'node:child_process';
import { metricsKeys, recordDisconnect, startHeartbeat } from '@wagw/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createTestApp, type TestApp } from './helpers.js';

const PHONE = '4917012345678';
const TOKEN = 'metrics-token-0123456789';

let t: TestApp;
let guarded: TestApp;
let sessionId = '';
let messageId = '';
beforeAll(async () => {
  t = await createTestApp();
  guarded = await createTestApp({ config: { metricsToken: TOKEN } });
  const session = await t.db.repos.sessions.create({ name: 'metrics', desiredState: 'running' });
  sessionId = session.id;
  await t.db.repos.sessions.transitionStatus(session.id, { to: 'open', reason: 'test' });
  const message = await t.db.repos.messages.insert({
    sessionId,
    direction: 'outbound',
    waMessageId: '3EB0C431C26A1916E5F4',
    remoteJid: `${PHONE}@s.whatsapp.net`,
    type: 'text',
    payload: { text: 'hello' },
  });
  messageId = message.id;
  // What workers record: two disconnects with 428 (both reconnected), one 401.
  await recordDisconnect(t.redis, t.prefix, 428, { reconnecting: true });
  await recordDisconnect(t.redis, t.prefix, 428, { reconnecting: true });
  await recordDisconnect(t.redis, t.prefix, 401, { reconnecting: false });
  await t.redis.hset(metricsKeys(t.prefix).webhooks, 'delivered', 7, 'failed', 1);
});
afterAll(async () => {
  await guarded.close();
  await t.close();
});

async function scrape(app: TestApp, headers: Record<string, string> = {}) {
  return app.app.inject({ method: 'GET', url: '/metrics', headers });
}

describe('GET /metrics', () => {
  it('exports sessions, messages, breakers, queues and counters, valid for promtool', async () => {
    const worker = startHeartbeat({
      redis: t.redis,
      prefix: t.prefix,
      role: 'worker',
      instanceId: 'w-metrics',
      intervalMs: 60_000,
      // A careless breaker name carrying a phone number must not reach a label.
      collect: () => ({ breakers: { [`send:${sessionId}`]: 'open', [`send:+${PHONE}`]: 'half-open' } }),
    });
    await worker.ready;
    // One request first, so the duration histogram has a series with a route pattern.
    await t.app.inject({ method: 'GET', url: `/api/sessions/${sessionId}`, headers: AUTH });
    try {
      const res = await scrape(t);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.body;
      // promtool exits non-zero on any format error; lint warnings (e.g. naming) are errors too.
      execFileSync('promtool', ['check', 'metrics'], { input: text });

      expect(text).toContain('process_cpu_seconds_total');
      expect(text).toContain('wagw_sessions{status="open"} 1');
      expect(text).toContain('wagw_sessions{status="failed"} 0');
      expect(text).toContain('wagw_messages{status="queued"} 1');
      expect(text).toContain(
        `wagw_circuit_breaker_state{breaker="send:${sessionId}",instance_id="w-metrics"} 2`,
      );
      expect(text).toContain(
        'wagw_circuit_breaker_state{breaker="send:<redacted>",instance_id="w-metrics"} 1',
      );
      expect(text).toContain('wagw_queue_jobs{queue="session-commands",state="waiting"} 0');
      expect(text).toContain('wagw_queue_jobs{queue="sends",state="failed"} 0');
      expect(text).toContain('wagw_session_disconnects_total{code="428"} 2');
      expect(text).toContain('wagw_session_disconnects_total{code="401"} 1');
      expect(text).toContain('wagw_session_reconnects_total{code="428"} 2');
      expect(text).not.toContain('wagw_session_reconnects_total{code="401"}');
      expect(text).toContain('wagw_webhook_deliveries_total{outcome="delivered"} 7');
      expect(text).toContain('wagw_workers{state="live"} 1');
      expect(text).toContain('wagw_dependency_up{dependency="redis"} 1');
      expect(text).toMatch(
        /wagw_http_request_duration_seconds_count\{method="GET",route="\/api\/sessions\/:id",status_code="200"\} 1/,
      );
      // Labels never carry a phone number, a message id or a raw URL.
      expect(text).not.toContain(PHONE);
      expect(text).not.toContain(messageId);
      expect(text).not.toContain('3EB0C431C26A1916E5F4');
      expect(text).not.toContain(`/api/sessions/${sessionId}`);
    } finally {
      await worker.stop();
    }
  });

  it('is open without METRICS_TOKEN, and needs no API key', async () => {
    expect((await scrape(t)).statusCode).toBe(200);
  });

  it('requires the bearer token when METRICS_TOKEN is set; the API key is not enough', async () => {
    const none = await scrape(guarded);
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await scrape(guarded, { authorization: 'Bearer wrong-token-000000000' })).statusCode).toBe(401);
    expect((await scrape(guarded, AUTH)).statusCode).toBe(401);
    const ok = await scrape(guarded, { authorization: `Bearer ${TOKEN}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('wagw_sessions');
  });
});
