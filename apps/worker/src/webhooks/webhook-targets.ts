import type { Repositories, SessionSettings, Webhook } from '@wagw/db';
import { type GatewayEvent, type RedisConnection, redisKeys } from '@wagw/queue';
import { matchesEventFilter } from '@wagw/webhooks';

/** The webhook from configuration (WEBHOOK_URL, WEBHOOK_EVENTS, WEBHOOK_SECRET); receives every session's events. */
export interface GlobalWebhookConfig {
  url: string;
  events: string[];
  secret: string | null;
}

/** The id under which the configured global webhook appears in jobs, dead letters and the API. */
export const CONFIG_WEBHOOK_ID = 'config';

export interface WebhookTargetsDeps {
  repos: Pick<Repositories, 'webhooks' | 'sessions'>;
  global: GlobalWebhookConfig | null;
  /** Runs a database call through the worker's database breaker. */
  db: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Where the API's webhook version counter lives (see `redisKeys().webhooksVersion`). */
  redis: RedisConnection;
  prefix: string;
  /** Longest a cached list is used without the version changing, in ms. Default 10000. */
  maxAgeMs?: number;
}

interface Candidates {
  hooks: Webhook[];
  settings?: SessionSettings;
  at: number;
}

/** Sessions whose lists are cached at most; beyond it the cache starts over (it is only a cache). */
const MAX_CACHED_SESSIONS = 10_000;
/**
 * How long one webhook's definition read for a delivery is reused. Every delivery checks that its
 * webhook still exists and is enabled; one query per delivery was the largest database cost of a
 * burst (bench/webhook-throughput.bench.ts). A second bounds how long a deleted or disabled webhook
 * can still receive; a version change seen by the dispatcher drops these entries at once.
 */
const DEFINITION_MAX_AGE_MS = 1000;

/**
 * Which endpoints an event goes to: the session's own webhooks, global ones from the database, and
 * the configured one, each filtered by its event list and by the session's `settings.webhooks`
 * switches. Lists are cached per session: reading them for every event cost two queries per event
 * (11 % of a worker's CPU during a 5,000-message bulk). The API bumps a version counter in Redis
 * after each webhook change, before it answers; the cache is dropped when the counter moves, so an
 * event published after a change is dispatched with it. If that bump is lost (Redis down at that
 * moment), lists refresh after `maxAgeMs` anyway.
 */
export function createWebhookTargets(deps: WebhookTargetsDeps) {
  const configWebhook: Webhook | null = deps.global
    ? {
        id: CONFIG_WEBHOOK_ID,
        sessionId: null,
        url: deps.global.url,
        events: deps.global.events,
        headers: {},
        secret: deps.global.secret,
        enabled: true,
        createdAt: new Date(0),
        updatedAt: new Date(0),
      }
    : null;

  const cache = new Map<string | null, Candidates>();
  const definitions = new Map<string, { hook: Webhook | null; at: number }>();
  const versionKey = redisKeys(deps.prefix).webhooksVersion;
  const maxAgeMs = deps.maxAgeMs ?? 10_000;
  let version: string | null = null;

  async function load(sessionId: string | null): Promise<Candidates> {
    const at = Date.now();
    if (sessionId === null) {
      const hooks = await deps.db(() => deps.repos.webhooks.listGlobal());
      return { hooks: configWebhook ? [...hooks, configWebhook] : hooks, at };
    }
    const [hooks, session] = await Promise.all([
      deps.db(() => deps.repos.webhooks.listForSession(sessionId)),
      deps.db(() => deps.repos.sessions.getById(sessionId)),
    ]);
    return { hooks: configWebhook ? [...hooks, configWebhook] : hooks, settings: session?.settings, at };
  }

  async function candidatesFor(sessionId: string | null): Promise<Candidates> {
    const cached = cache.get(sessionId);
    if (cached && Date.now() - cached.at < maxAgeMs) return cached;
    const fresh = await load(sessionId);
    if (cache.size >= MAX_CACHED_SESSIONS) cache.clear();
    cache.set(sessionId, fresh);
    return fresh;
  }

  /** Drops the cache when the API changed a webhook since the last look (read after the events). */
  async function checkVersion(): Promise<void> {
    const current = await deps.redis.get(versionKey);
    if (current !== version) {
      cache.clear();
      definitions.clear();
      version = current;
    }
  }

  return {
    /** Targets per event, in the order given. Throws when the database cannot answer (retry later). */
    async resolve(events: readonly GatewayEvent[]): Promise<Webhook[][]> {
      await checkVersion();
      const bySession = new Map<string | null, Promise<Candidates>>();
      for (const event of events) {
        if (!bySession.has(event.sessionId)) bySession.set(event.sessionId, candidatesFor(event.sessionId));
      }
      const resolved = new Map<string | null, Candidates>();
      for (const [sessionId, pending] of bySession) resolved.set(sessionId, await pending);
      return events.map((event) => {
        const entry = resolved.get(event.sessionId);
        if (!entry || !allowedBySettings(entry.settings, event.event)) return [];
        return entry.hooks.filter((hook) => matchesEventFilter(hook.events, event.event));
      });
    },

    /** The current definition of one webhook (null when deleted); the configured one by its id. */
    async get(webhookId: string): Promise<Webhook | null> {
      if (webhookId === CONFIG_WEBHOOK_ID) return configWebhook;
      const cached = definitions.get(webhookId);
      if (cached && Date.now() - cached.at < DEFINITION_MAX_AGE_MS) return cached.hook;
      const at = Date.now();
      const hook = await deps.db(() => deps.repos.webhooks.getById(webhookId));
      if (definitions.size >= MAX_CACHED_SESSIONS) definitions.clear();
      definitions.set(webhookId, { hook, at });
      return hook;
    },
  };
}

export type WebhookTargets = ReturnType<typeof createWebhookTargets>;

/** A session's `settings.webhooks` switches (absent = on) silence whole groups of its events. */
function allowedBySettings(settings: SessionSettings | undefined, event: string): boolean {
  const switches = settings?.webhooks;
  if (!switches) return true;
  if (event === 'message.received') return switches.inbound !== false;
  if (event === 'message.status' || event === 'batch.completed') return switches.statuses !== false;
  if (event.startsWith('session.')) return switches.sessionEvents !== false;
  return true;
}
