/**
 * API send throughput: autocannon against POST /api/sessions/:id/messages of the real API process
 * (admin key auth, per-key rate limit in Redis, zod validation, Idempotency-Key claim and completion,
 * the outbox row, the BullMQ job) against a bare Fastify route answering 202 with a body of the same
 * shape, both measured in this run with the same autocannon settings, request and Idempotency-Key.
 *
 * For 1 process and for a node cluster of 2 (PROCESSES): the bare baseline, then the API on SQLite
 * and on PostgreSQL (DIALECTS). Ratio = API 2xx/s ÷ bare 2xx/s. Goal: ratio ≥ 0.50 with p99 < 20 ms.
 * The p99 is the one measured at saturation (every connection busy), the API's highest rate: at
 * half the bare rate, when that is below it, latency is no higher.
 *
 * Run: npm run bench:api-send   (CONNECTIONS=10 DURATION=10 WARMUP=2 PROCESSES=1,2
 *                                DIALECTS=sqlite,postgres; API_CPU_PROF_DIR=<dir> profiles the API)
 */
import { randomUUID } from 'node:crypto';
import { uniquePrefix } from '@wagw/testing';
import { type LoadResult, type LoadSettings, measureLoad } from './lib/api-load.js';
import {
  API_SCRIPT,
  apiEnv,
  BARE_SCRIPT,
  BENCH_API_KEY,
  benchDatabase,
  cleanRedisPrefix,
  createSession,
  type Dialect,
  startServer,
  treeCpuMs,
} from './lib/api-process.js';
import { runContext, writeResults } from './lib/api-results-doc.js';

const settings: LoadSettings = {
  connections: Number(process.env.CONNECTIONS ?? 10),
  durationS: Number(process.env.DURATION ?? 10),
  warmupS: Number(process.env.WARMUP ?? 2),
};
const PROCESSES = (process.env.PROCESSES ?? '1,2').split(',').map(Number);
const DIALECTS = (process.env.DIALECTS ?? 'sqlite,postgres').split(',') as Dialect[];
const CPU_PROF_DIR = process.env.API_CPU_PROF_DIR;
const GOAL_RATIO = 0.5;
const GOAL_P99_MS = 20;
const BODY = JSON.stringify({ to: '+15551234567', text: 'Your order 1234 has shipped.' });

interface Row {
  processes: number;
  target: string;
  load: LoadResult;
  ratio: number;
}

async function measureBare(processes: number): Promise<LoadResult> {
  const server = await startServer({ script: BARE_SCRIPT, processes });
  try {
    return await measureLoad(
      { url: `${server.url}/api/sessions/${randomUUID()}/messages`, headers: headers(), body: BODY },
      settings,
      () => treeCpuMs(server.process.pid as number),
    );
  } finally {
    await server.stop();
  }
}

async function measureApi(processes: number, dialect: Dialect): Promise<LoadResult> {
  const db = await benchDatabase(dialect);
  const prefix = uniquePrefix(`bench-send-${dialect}`);
  try {
    const api = await startServer({
      script: API_SCRIPT,
      processes,
      env: apiEnv(db, prefix),
      cpuProfDir: CPU_PROF_DIR,
    });
    try {
      const sessionId = await createSession(api.url, `bench-${dialect}`);
      return await measureLoad(
        { url: `${api.url}/api/sessions/${sessionId}/messages`, headers: headers(), body: BODY },
        settings,
        () => treeCpuMs(api.process.pid as number),
      );
    } finally {
      await api.stop();
    }
  } finally {
    await cleanRedisPrefix(prefix);
    await db.cleanup();
  }
}

function headers(): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-api-key': BENCH_API_KEY,
    'idempotency-key': 'bench-[<id>]',
  };
}

function table(rows: Row[]): string {
  const lines = [
    '| processes | target | 2xx/s | p50 ms | p99 ms | max ms | requests | failed | server CPU ms/request | ratio to bare |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { processes, target, load, ratio } of rows) {
    lines.push(
      `| ${processes} | ${target} | ${load.rps.toFixed(0)} | ${load.p50} | ${load.p99} | ${load.max} | ${load.ok} | ${load.failed} | ${load.cpuMsPerRequest.toFixed(3)} | ${ratio.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const rows: Row[] = [];
  for (const processes of PROCESSES) {
    const bare = await measureBare(processes);
    rows.push({ processes, target: 'bare Fastify (baseline)', load: bare, ratio: 1 });
    console.log(
      `${processes} process(es), bare: ${bare.rps.toFixed(0)}/s p99 ${bare.p99} ms, ${bare.cpuMsPerRequest.toFixed(3)} CPU ms/request`,
    );
    for (const dialect of DIALECTS) {
      const load = await measureApi(processes, dialect);
      const ratio = load.rps / bare.rps;
      rows.push({ processes, target: `API, ${dialect}`, load, ratio });
      console.log(
        `${processes} process(es), API ${dialect}: ${load.rps.toFixed(0)}/s p99 ${load.p99} ms, ${load.cpuMsPerRequest.toFixed(3)} CPU ms/request, ratio ${ratio.toFixed(2)}`,
      );
    }
  }
  const context = runContext();
  const command = `npm run bench:api-send (connections ${settings.connections}, pipelining 1, ${settings.durationS} s after a ${settings.warmupS} s warm-up)`;
  const markdown = `${context}. Command: \`${command}\`.\n\n${table(rows)}`;
  console.log(`\n${markdown}\n`);
  const api = rows.filter((row) => row.target.startsWith('API'));
  for (const row of api) {
    const met = row.ratio >= GOAL_RATIO && row.load.p99 < GOAL_P99_MS;
    console.log(
      `goal ${met ? 'met' : 'MISSED'}: ${row.processes} process(es) ${row.target}: ratio ${row.ratio.toFixed(2)} (≥ ${GOAL_RATIO}), p99 ${row.load.p99} ms (< ${GOAL_P99_MS})`,
    );
  }
  if (!CPU_PROF_DIR && writeResults('bench:api-send', markdown)) console.log('written to docs/benchmarks.md');
  const failed = rows.filter((row) => row.load.failed > 0);
  if (failed.length > 0) {
    for (const row of failed) console.error(`errors under load (${row.target}):`, row.load.statusCodes);
    process.exitCode = 1;
  }
}

await main();
