/** The API's health document and key views, as far as the System view reads them (openapi.json). */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface Depths {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

export interface WorkerBeat {
  instanceId: string;
  pid?: number;
  startedAt?: string;
  sessions: number;
  open: number;
  capacity: number;
  rss: number;
  eventLoopDelayP99Ms: number;
  breakers: Record<string, BreakerState>;
  lastBeatAt: string;
}

export interface ApiReplicaBeat {
  instanceId: string;
  pid?: number;
  startedAt?: string;
  served: number;
  serverErrors: number;
  inFlight: number;
  rss: number;
  eventLoopDelayP99Ms: number;
  lastBeatAt: string;
}

export interface Health {
  status: 'ok' | 'degraded' | 'error';
  reasons: string[];
  timestamp: string;
  uptime: number;
  database: 'connected' | 'disconnected';
  redis: 'connected' | 'disconnected';
  checks: Record<string, { ok: boolean; latencyMs: number; error?: string; backend?: string } | undefined>;
  sessions: (Record<string, number> & { total: number; connected: number }) | null;
  apiReplicas: ApiReplicaBeat[];
  missingApiReplicas: string[];
  workers: WorkerBeat[];
  missingWorkers: string[];
  schedulers: Array<{ instanceId: string; pid?: number; lastBeatAt: string }>;
  missingSchedulers: string[];
  circuitBreakers: Record<string, { state: BreakerState; workers: Record<string, BreakerState> }>;
  queues: {
    'session-commands': Depths;
    maintenance: Depths;
    webhooks: Depths;
    sends: {
      queues: number;
      totalWaiting: number;
      totalActive: number;
      totalDelayed: number;
      totalFailed: number;
      totalCompleted: number;
    };
  } | null;
  webhooks: {
    deadLetters: { dead: number; replaying: number } | null;
    dispatch: { pending: number; lag: number | null } | null;
  };
}

/** The sessions a worker owns, by name (GET /api/sessions, grouped by ownerWorkerId). */
export interface OwnedSession {
  id: string;
  name: string;
  status: string;
  ownerWorkerId: string | null;
}

export interface ThroughputMinute {
  at: string;
  sent: number;
  received: number;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  sessionId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}
