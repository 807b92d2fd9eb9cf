/**
 * Bulk accept: one POST /api/sessions/:id/messages/bulk of 10,000 text messages to the real API
 * process (auth, body parse, per-item validation and composition, one insert transaction of the
 * rows, the jobs in chunks of 1,000, Idempotency-Key), timed by the client from request to 202,
 * against the floor of the same work done raw in this process: one `messages.insertMany` (the db
 * layer's single transaction of multi-row INSERTs) of the same 10,000 rows, then one BullMQ
 * `queue.addBulk` of the same 10,000 jobs (same name, data and job options as the API's).
 *
 * Runs alternate (baseline, API) so both see the same machine load; one discarded warm-up pair,
 * then RUNS measured pairs. Ratio = median baseline ms ÷ median API ms. Goal: ≥ 0.80.
 *
 * Run: npm run bench:bulk-accept   (RUNS=5 COUNT=10000 DIALECTS=sqlite,postgres)
 */
import { createDatabase, newId } from '@wagw/db';
import {
  createProducerConnection,
  DEFAULT_JOB_OPTIONS,
  SEND_QUEUE_JOBS,
  sendQueueName,
  waitUntilReady,
  waMessageIdFor,
} from '@wagw/queue';
import { uniquePrefix } from '@wagw/testing';
import { Queue } from 'bullmq';
import {
  API_SCRIPT,
  apiEnv,
  BENCH_API_KEY,
  benchDatabase,
  cleanRedisPrefix,
  createSession,
  type Dialect,
  startServer,
} from './lib/api-process.js';
import { runContext, writeResults } from './lib/api-results-doc.js';

const RUNS = Number(process.env.RUNS ?? 5);
const COUNT = Number(process.env.COUNT ?? 10_000);
const DIALECTS = (process.env.DIALECTS ?? 'sqlite,postgres').split(',') as Dialect[];
const GOAL = 0.8;
const TO = '+15551234567';
const JID = '15551234567@s.whatsapp.net';
const text = (i: number) => `Your order ${i} has shipped.`;

interface Outcome {
  dialect: Dialect;
  api: number[];
  baseline: number[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function measureDialect(dialect: Dialect): Promise<Outcome> {
  const store = await benchDatabase(dialect);
  const prefix = uniquePrefix(`bench-bulk-${dialect}`);
  const api = await startServer({ script: API_SCRIPT, processes: 1, env: apiEnv(store, prefix) });
  const db = await createDatabase({ url: store.url });
  const redis = createProducerConnection(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const outcome: Outcome = { dialect, api: [], baseline: [] };
  try {
    await waitUntilReady(redis);
    const body = JSON.stringify({
      messages: Array.from({ length: COUNT }, (_, i) => ({ to: TO, text: text(i) })),
    });
    for (let run = 0; run <= RUNS; run++) {
      // A session (and so a send queue) per run: every run starts from an empty queue.
      const baseline = await rawAccept(db, redis, prefix, await createSession(api.url, `raw-${run}`));
      const viaApi = await apiAccept(
        api.url,
        redis,
        prefix,
        await createSession(api.url, `api-${run}`),
        body,
      );
      if (run === 0) continue; // warm-up pair
      outcome.baseline.push(baseline);
      outcome.api.push(viaApi);
      console.log(`${dialect} run ${run}: baseline ${baseline.toFixed(0)} ms, API ${viaApi.toFixed(0)} ms`);
    }
    return outcome;
  } finally {
    await api.stop();
    await db.close();
    redis.disconnect();
    await cleanRedisPrefix(prefix);
    await store.cleanup();
  }
}

/** The floor: the rows in one transaction, then the jobs in one addBulk. Returns ms. */
async function rawAccept(
  db: Awaited<ReturnType<typeof createDatabase>>,
  redis: ReturnType<typeof createProducerConnection>,
  prefix: string,
  sessionId: string,
): Promise<number> {
  const queue = new Queue(sendQueueName(sessionId), { connection: redis, prefix });
  queue.on('error', () => undefined);
  try {
    const started = performance.now();
    const batchId = newId();
    const rows = Array.from({ length: COUNT }, (_, i) => {
      const id = newId();
      return {
        id,
        sessionId,
        direction: 'outbound' as const,
        waMessageId: waMessageIdFor(id),
        remoteJid: JID,
        type: 'text' as const,
        payload: { type: 'text' as const, text: text(i) },
        batchId,
      };
    });
    await db.repos.messages.insertMany(rows);
    await queue.addBulk(
      rows.map((row) => ({
        name: SEND_QUEUE_JOBS.send,
        data: { messageId: row.id, sessionId, batchId },
        opts: { ...DEFAULT_JOB_OPTIONS, jobId: row.id },
      })),
    );
    const elapsed = performance.now() - started;
    await queue.obliterate({ force: true });
    return elapsed;
  } finally {
    await queue.close();
  }
}

/** The API: one bulk request, timed from sending it to the 202. Returns ms. */
async function apiAccept(
  url: string,
  redis: ReturnType<typeof createProducerConnection>,
  prefix: string,
  sessionId: string,
  body: string,
): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/api/sessions/${sessionId}/messages/bulk`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': BENCH_API_KEY,
      'idempotency-key': `bench-bulk-${newId()}`,
    },
    body,
  });
  const answer = (await res.json()) as { count?: number };
  const elapsed = performance.now() - started;
  if (res.status !== 202 || answer.count !== COUNT) {
    throw new Error(`bulk request: ${res.status} ${JSON.stringify(answer).slice(0, 500)}`);
  }
  const queue = new Queue(sendQueueName(sessionId), { connection: redis, prefix });
  queue.on('error', () => undefined);
  const queued = await queue.getWaitingCount();
  await queue.obliterate({ force: true });
  await queue.close();
  if (queued !== COUNT) throw new Error(`the API queued ${queued} jobs, expected ${COUNT}`);
  return elapsed;
}

async function main() {
  const outcomes: Outcome[] = [];
  for (const dialect of DIALECTS) outcomes.push(await measureDialect(dialect));
  const lines = [
    `| database | baseline ms (median) | API ms (median) | ratio | baseline runs | API runs |`,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const verdicts: string[] = [];
  for (const { dialect, api, baseline } of outcomes) {
    const ratio = median(baseline) / median(api);
    const runs = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
    lines.push(
      `| ${dialect} | ${median(baseline).toFixed(0)} | ${median(api).toFixed(0)} | ${ratio.toFixed(2)} | ${runs(baseline)} | ${runs(api)} |`,
    );
    verdicts.push(
      `goal ${ratio >= GOAL ? 'met' : 'MISSED'}: ${dialect} ratio ${ratio.toFixed(2)} (≥ ${GOAL})`,
    );
  }
  const markdown = `${runContext()}. Command: \`npm run bench:bulk-accept\` (${COUNT} messages, median of ${RUNS} runs after a warm-up).\n\n${lines.join('\n')}`;
  console.log(`\n${markdown}\n\n${verdicts.join('\n')}`);
  if (COUNT === 10_000 && writeResults('bench:bulk-accept', markdown))
    console.log('written to docs/benchmarks.md');
}

await main();
