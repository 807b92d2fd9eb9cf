import type { Repositories, SessionSettings, Webhook } from '@wagw/db';
import type { GatewayEvent } from '@wagw/queue';
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
}

/**
 * Which endpoints an event goes to: the session's own webhooks, global ones from the database, and
 * the configured one, each filtered by its event list and by the session's `settings.webhooks`
 * switches. Read from the database for every batch of events (one query per session in the batch),
 * so a webhook created a moment ago already receives the next event.
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

  async function candidatesFor(
    sessionId: string | null,
  ): Promise<{ hooks: Webhook[]; settings?: SessionSettings }> {
    if (sessionId === null) {
      const hooks = await deps.db(() => deps.repos.webhooks.listGlobal());
      return { hooks: configWebhook ? [...hooks, configWebhook] : hooks };
    }
    const [hooks, session] = await Promise.all([
      deps.db(() => deps.repos.webhooks.listForSession(sessionId)),
      deps.db(() => deps.repos.sessions.getById(sessionId)),
    ]);
    return { hooks: configWebhook ? [...hooks, configWebhook] : hooks, settings: session?.settings };
  }

  return {
    /** Targets per event, in the order given. Throws when the database cannot answer (retry later). */
    async resolve(events: readonly GatewayEvent[]): Promise<Webhook[][]> {
      const bySession = new Map<string | null, Promise<{ hooks: Webhook[]; settings?: SessionSettings }>>();
      for (const event of events) {
        if (!bySession.has(event.sessionId)) bySession.set(event.sessionId, candidatesFor(event.sessionId));
      }
      const resolved = new Map<string | null, { hooks: Webhook[]; settings?: SessionSettings }>();
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
      return deps.db(() => deps.repos.webhooks.getById(webhookId));
    },
  };
}

export type WebhookTargets = ReturnType<typeof createWebhookTargets>;

/** A session's `settings.webhooks` switches (absent = on) silence whole groups of its events. */
export function allowedBySettings(settings: SessionSettings | undefined, event: string): boolean {
  const switches = settings?.webhooks;
  if (!switches) return true;
  if (event === 'message.received') return switches.inbound !== false;
  if (event === 'message.status' || event === 'batch.completed') return switches.statuses !== false;
  if (event.startsWith('session.')) return switches.sessionEvents !== false;
  return true;
}
