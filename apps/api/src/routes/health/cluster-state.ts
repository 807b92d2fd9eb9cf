import { type HeartbeatPayload, listHeartbeats, listRecentlySeen, type RedisConnection } from '@wagw/queue';
import { z } from 'zod';

type BreakerState = 'closed' | 'open' | 'half-open';

/** What a worker publishes in its heartbeat (apps/worker main.ts); every field is tolerated missing. */
const workerBeat = z.object({
  instanceId: z.string(),
  pid: z.number().optional(),
  startedAt: z.string().optional(),
  at: z.string(),
  sessions: z.number().catch(0).default(0),
  open: z.number().catch(0).default(0),
  capacity: z.number().catch(0).default(0),
  rss: z.number().catch(0).default(0),
  heapAfterGc: z.number().nullable().catch(null).default(null),
  eventLoopDelayP99Ms: z.number().catch(0).default(0),
  breakers: z
    .record(z.string(), z.enum(['closed', 'open', 'half-open']))
    .catch({})
    .default({}),
  dbSpool: z
    .object({
      depth: z.number().catch(0).default(0),
      memory: z.number().catch(0).default(0),
      refused: z.number().catch(0).default(0),
    })
    .catch({ depth: 0, memory: 0, refused: 0 })
    .default({ depth: 0, memory: 0, refused: 0 }),
});

interface WorkerView {
  instanceId: string;
  pid?: number;
  startedAt?: string;
  /** Sessions this worker owns, of which `open` have a live socket; `capacity` is its maximum. */
  sessions: number;
  open: number;
  capacity: number;
  rss: number;
  /** Heap in use after the last full collection (what the worker retains); null before the first. */
  heapAfterGc: number | null;
  eventLoopDelayP99Ms: number;
  breakers: Record<string, BreakerState>;
  /**
   * Inbound messages and receipts of its sessions waiting for the database (apps/worker
   * messaging/db-spool.ts): `depth` in all, `memory` of them only in memory (Redis was down too),
   * `refused` since the worker started because a spool was full (lost).
   */
  dbSpool: { depth: number; memory: number; refused: number };
  lastBeatAt: string;
}

/** What an API replica publishes in its heartbeat (apps/api lib/replica-heartbeat.ts). */
const apiBeat = z.object({
  instanceId: z.string(),
  pid: z.number().optional(),
  startedAt: z.string().optional(),
  at: z.string(),
  served: z.number().catch(0).default(0),
  serverErrors: z.number().catch(0).default(0),
  inFlight: z.number().catch(0).default(0),
  rss: z.number().catch(0).default(0),
  eventLoopDelayP99Ms: z.number().catch(0).default(0),
});

interface ApiReplicaView {
  instanceId: string;
  pid?: number;
  startedAt?: string;
  /** Requests ended since the replica started, of them answered 5xx, and not yet answered. */
  served: number;
  serverErrors: number;
  inFlight: number;
  rss: number;
  eventLoopDelayP99Ms: number;
  lastBeatAt: string;
}

interface SchedulerView {
  instanceId: string;
  pid?: number;
  startedAt?: string;
  lastBeatAt: string;
}

/** One breaker name across workers: its worst state, and each worker's own. */
interface BreakerView {
  state: BreakerState;
  workers: Record<string, BreakerState>;
}

export interface ClusterState {
  /** API replicas beating now (this one included once it has listened). */
  apiReplicas: ApiReplicaView[];
  /** Replicas that beat within the last 10 minutes but whose heartbeat expired. */
  missingApiReplicas: string[];
  workers: WorkerView[];
  /** Workers that beat within the last 10 minutes but whose heartbeat expired: crashed or hung. */
  missingWorkers: string[];
  schedulers: SchedulerView[];
  missingSchedulers: string[];
  circuitBreakers: Record<string, BreakerView>;
}

const SEVERITY: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Breaker names become metric labels and health keys. Workers name breakers after session ids,
 * but a phone number (or a JID) must never leave the process in a label, whoever named it.
 */
export function safeBreakerName(name: string): string {
  // Only a free-standing run of digits is a number: session ids are ULIDs, whose random part may
  // hold seven digits in a row between letters (01M90X4623929MRR…) and must stay intact.
  return name.replace(/(?<![A-Za-z0-9])\+?\d{7,}(@[\w.-]+)?(?![A-Za-z0-9])/g, '<redacted>').slice(0, 120);
}

function toWorker(beat: HeartbeatPayload): WorkerView | null {
  const parsed = workerBeat.safeParse(beat);
  if (!parsed.success) return null;
  const { at, breakers, ...rest } = parsed.data;
  const safe: Record<string, BreakerState> = {};
  for (const [name, state] of Object.entries(breakers)) safe[safeBreakerName(name)] = state;
  return { ...rest, breakers: safe, lastBeatAt: at };
}

function toApiReplica(beat: HeartbeatPayload): ApiReplicaView | null {
  const parsed = apiBeat.safeParse(beat);
  if (!parsed.success) return null;
  const { at, ...rest } = parsed.data;
  return { ...rest, lastBeatAt: at };
}

function aggregateBreakers(workers: readonly WorkerView[]): Record<string, BreakerView> {
  const out: Record<string, BreakerView> = {};
  for (const worker of workers) {
    for (const [name, state] of Object.entries(worker.breakers)) {
      const view = out[name] ?? { state: 'closed', workers: {} };
      view.workers[worker.instanceId] = state;
      if (SEVERITY[state] > SEVERITY[view.state]) view.state = state;
      out[name] = view;
    }
  }
  return out;
}

/**
 * Everything the heartbeats in Redis say about the other processes. Any API replica reads the
 * same keys, so every replica reports the same cluster.
 */
export async function readClusterState(redis: RedisConnection, prefix: string): Promise<ClusterState> {
  const [beats, seenWorkers, seenSchedulers, seenApis] = await Promise.all([
    listHeartbeats(redis, prefix),
    listRecentlySeen(redis, prefix, 'worker'),
    listRecentlySeen(redis, prefix, 'scheduler'),
    listRecentlySeen(redis, prefix, 'api'),
  ]);
  const apiReplicas = beats
    .filter((beat) => beat.role === 'api')
    .flatMap((beat) => toApiReplica(beat) ?? [])
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  const workers = beats
    .filter((beat) => beat.role === 'worker')
    .flatMap((beat) => toWorker(beat) ?? [])
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  const schedulers = beats
    .filter((beat) => beat.role === 'scheduler')
    .map((beat) => ({
      instanceId: beat.instanceId,
      pid: beat.pid,
      startedAt: beat.startedAt,
      lastBeatAt: beat.at,
    }))
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  const live = new Set(beats.map((beat) => `${beat.role}/${beat.instanceId}`));
  return {
    apiReplicas,
    missingApiReplicas: seenApis.filter((id) => !live.has(`api/${id}`)).sort(),
    workers,
    missingWorkers: seenWorkers.filter((id) => !live.has(`worker/${id}`)).sort(),
    schedulers,
    missingSchedulers: seenSchedulers.filter((id) => !live.has(`scheduler/${id}`)).sort(),
    circuitBreakers: aggregateBreakers(workers),
  };
}
