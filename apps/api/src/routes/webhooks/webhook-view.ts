import type { Webhook, WebhookDeadLetter } from '@wagw/db';
import {
  CONFIG_WEBHOOK_ID,
  type DeadLetterView,
  MASKED_HEADER_VALUE,
  SECRET_PREFIX_LENGTH,
  type WebhookView,
} from './webhooks.schemas.js';

/** The global webhook from configuration (WEBHOOK_URL, WEBHOOK_EVENTS, WEBHOOK_SECRET). */
export interface ConfigWebhook {
  url: string;
  events: readonly string[];
  secret: string | null;
}

function maskHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, MASKED_HEADER_VALUE]));
}

/**
 * Enough of the secret to recognise it: `whsec_` and 4 characters of its 32+ random bytes. A
 * user-chosen plain secret may be as short as 16 characters, so only 4 of those are shown.
 */
function secretPrefix(secret: string | null): string | null {
  if (!secret) return null;
  return secret.slice(0, secret.startsWith('whsec_') ? SECRET_PREFIX_LENGTH : 4);
}

/** The public shape of a webhook: never the secret (only its prefix), never header values. */
export function toWebhookView(webhook: Webhook): WebhookView {
  return {
    id: webhook.id,
    sessionId: webhook.sessionId,
    source: 'api',
    url: webhook.url,
    events: webhook.events,
    headers: maskHeaders(webhook.headers),
    secretPrefix: secretPrefix(webhook.secret),
    enabled: webhook.enabled,
    createdAt: webhook.createdAt.toISOString(),
    updatedAt: webhook.updatedAt.toISOString(),
  };
}

export function toConfigWebhookView(config: ConfigWebhook): WebhookView {
  return {
    id: CONFIG_WEBHOOK_ID,
    sessionId: null,
    source: 'config',
    url: config.url,
    events: [...config.events],
    headers: {},
    secretPrefix: secretPrefix(config.secret),
    enabled: true,
    createdAt: null,
    updatedAt: null,
  };
}

export function toDeadLetterView(row: WebhookDeadLetter): DeadLetterView {
  return {
    id: row.id,
    webhookId: row.webhookId,
    sessionId: row.sessionId,
    eventId: row.eventId,
    event: row.event,
    attempts: row.attempts,
    lastStatus: row.lastStatus,
    lastResponse: row.lastResponse,
    lastError: row.lastError,
    status: row.status,
    replayCount: row.replayCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    payload: row.payload,
  };
}
