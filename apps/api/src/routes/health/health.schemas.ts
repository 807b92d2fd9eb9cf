import { SESSION_STATUSES } from '@wagw/db';
import { z } from 'zod';

const dependency = z.enum(['connected', 'disconnected']);
const check = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });
const mediaCheck = check
  .extend({ backend: z.enum(['fs', 's3']).optional().describe('absent when the check timed out') })
  .describe(
    'the media store: a probe file written (fs) or the bucket reached (s3); not ok degrades the status',
  );
const breakerState = z.enum(['closed', 'open', 'half-open']);

const sessionCounts = z
  .object({
    ...Object.fromEntries(SESSION_STATUSES.map((status) => [status, z.number()])),
    total: z.number(),
    connected: z.number().describe('an alias of `open`: the same count'),
    waitingForCapacity: z
      .number()
      .describe(
        'sessions that should run but no worker has room for (status `stopped`, reason "waiting for capacity"); more than 0 degrades the status',
      ),
  })
  .describe('sessions by status (not deleted); null when the database is unreachable');

const depths = z.object({
  waiting: z.number(),
  active: z.number(),
  delayed: z.number(),
  failed: z.number(),
  completed: z.number(),
});

const queueOverviewSchema = z.object({
  'session-commands': depths,
  maintenance: depths,
  webhooks: depths.describe('webhook deliveries: one job per event and receiver'),
  sends: z.object({
    queues: z.number(),
    totalWaiting: z.number(),
    totalActive: z.number(),
    totalDelayed: z.number(),
    totalFailed: z.number(),
    totalCompleted: z.number(),
  }),
});

const webhooksHealthSchema = z
  .object({
    deadLetters: z
      .object({
        dead: z.number().describe('deliveries that exhausted their retries, waiting for replay or discard'),
        replaying: z.number().describe('dead letters being replayed right now'),
      })
      .nullable()
      .describe('dead letters of every webhook by status; null when the database is unreachable'),
    dispatch: z
      .object({
        pending: z
          .number()
          .describe('events a worker read from the event stream but has not fanned out to jobs yet'),
        lag: z
          .number()
          .nullable()
          .describe('events in the stream no worker has read yet; null when Redis cannot tell'),
      })
      .nullable()
      .describe('the `webhook-dispatch` consumer group on the event stream; null when Redis is unreachable'),
  })
  .describe('webhook delivery; an unreachable receiver never degrades the status');

const workerSchema = z.object({
  instanceId: z.string(),
  pid: z.number().optional(),
  startedAt: z.string().optional(),
  sessions: z.number(),
  open: z.number(),
  capacity: z.number(),
  rss: z.number(),
  heapAfterGc: z
    .number()
    .nullable()
    .describe(
      'heap bytes in use after the last full collection (what the worker retains); null before the first',
    ),
  eventLoopDelayP99Ms: z.number(),
  breakers: z.record(z.string(), breakerState),
  dbSpool: z
    .object({ depth: z.number(), memory: z.number(), refused: z.number() })
    .describe(
      'inbound messages and receipts waiting for the database: in all, only in memory, refused (spool full) since start',
    ),
  lastBeatAt: z.string(),
});

const apiReplicaSchema = z.object({
  instanceId: z.string(),
  pid: z.number().optional(),
  startedAt: z.string().optional(),
  served: z.number().describe('requests ended since the replica started'),
  serverErrors: z.number().describe('of those, answered with a 5xx'),
  inFlight: z.number().describe('requests not yet answered (open SSE streams included)'),
  rss: z.number(),
  eventLoopDelayP99Ms: z.number(),
  lastBeatAt: z.string(),
});

const schedulerSchema = z.object({
  instanceId: z.string(),
  pid: z.number().optional(),
  startedAt: z.string().optional(),
  lastBeatAt: z.string(),
});

const circuitBreakersSchema = z
  .record(z.string(), z.object({ state: breakerState, workers: z.record(z.string(), breakerState) }))
  .describe('every breaker named in a worker heartbeat: its worst state and each worker’s');

const memorySchema = z.object({
  rss: z.number(),
  heapUsed: z.number(),
  heapTotal: z.number(),
  external: z.number(),
});

export const healthResponse = z.object({
  status: z.enum(['ok', 'degraded', 'error']),
  reasons: z.array(z.string()).describe('why the status is not ok (empty when ok)'),
  timestamp: z.string(),
  uptime: z.number().describe('process uptime in seconds'),
  memory: memorySchema,
  database: dependency,
  redis: dependency,
  checks: z.object({ database: check, redis: check, media: mediaCheck.optional() }),
  sessions: sessionCounts.nullable(),
  apiReplicas: z.array(apiReplicaSchema).describe('API replicas whose heartbeat is live'),
  missingApiReplicas: z.array(z.string()).describe('seen in the last 10 minutes, heartbeat expired'),
  workers: z.array(workerSchema),
  missingWorkers: z.array(z.string()).describe('seen in the last 10 minutes, heartbeat expired'),
  schedulers: z.array(schedulerSchema),
  missingSchedulers: z.array(z.string()),
  circuitBreakers: circuitBreakersSchema,
  queues: queueOverviewSchema.nullable().describe('null when Redis is unreachable'),
  webhooks: webhooksHealthSchema,
});

export const probeResponse = z.object({ status: z.enum(['ok', 'error']), reason: z.string().optional() });
