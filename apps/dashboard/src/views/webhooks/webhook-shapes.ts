/** The API's webhook views, as far as the dashboard reads them (openapi.json, tag `webhooks`). */

export interface Webhook {
  /** `config` for the read-only global webhook from configuration (WEBHOOK_URL). */
  id: string;
  /** null: receives the events of every session. */
  sessionId: string | null;
  source: 'api' | 'config';
  url: string;
  events: string[];
  headers: Record<string, string>;
  secretPrefix: string | null;
  enabled: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

/** Create and rotate answers carry the whole secret, this once. */
export type WebhookWithSecret = Webhook & { secret?: string };

export interface DeadLetter {
  id: string;
  webhookId: string;
  sessionId: string | null;
  eventId: string;
  event: string;
  attempts: number;
  lastStatus: number | null;
  lastResponse: string | null;
  lastError: string | null;
  status: 'dead' | 'replaying';
  replayCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryAttempt {
  eventId: string;
  event: string;
  attempt: number;
  at: string;
  outcome: 'delivered' | 'retrying' | 'dead_lettered';
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
  replay: boolean;
}

/** What the webhooks view needs of a session: its name, for "receives the events of …". */
export interface SessionRef {
  id: string;
  name: string;
}

/** Splits "message.*, session.status" (commas or spaces) into filters; the API checks each name. */
export function parseEvents(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter(Boolean);
}

export function scopeText(
  webhook: Pick<Webhook, 'sessionId'>,
  sessions: ReadonlyMap<string, string>,
): string {
  if (webhook.sessionId === null) return 'All sessions (global)';
  return `Session ${sessions.get(webhook.sessionId) ?? webhook.sessionId}`;
}
