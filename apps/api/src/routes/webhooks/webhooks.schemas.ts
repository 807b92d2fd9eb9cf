import { DEAD_LETTER_STATUSES } from '@wagw/db';
import { z } from 'zod';

/** Id of the read-only global webhook from configuration (WEBHOOK_URL). */
export const CONFIG_WEBHOOK_ID = 'config';
/** Webhooks one session may have (global ones not counted). */
export const MAX_WEBHOOKS_PER_SESSION = 10;
const MAX_URL_LENGTH = 2048;
const MAX_EVENT_FILTERS = 50;
export const MAX_HEADERS = 20;
export const MAX_HEADER_VALUE_LENGTH = 1024;
/** What header values are replaced with in every response: they often carry credentials. */
export const MASKED_HEADER_VALUE = '***';
/** Characters of the secret shown in views (`whsec_` and 4 more), to recognise it. */
export const SECRET_PREFIX_LENGTH = 10;

// Structure only: each event filter, header and the URL are checked by webhook-validation.ts, which
// names the bad entry in a stable error code (a zod issue path would be the only clue otherwise).
const url = z.string().trim().min(1).max(MAX_URL_LENGTH).describe('http(s) URL the events are POSTed to');
const events = z
  .array(z.string().max(100))
  .min(1)
  .max(MAX_EVENT_FILTERS)
  .describe('event names or filters (`*`, `message.*`); see docs/events.md');
const headers = z
  .record(z.string().max(256), z.string().max(MAX_HEADER_VALUE_LENGTH))
  .describe(`extra request headers (at most ${MAX_HEADERS}); values are masked as "***" in responses`);
const secret = z
  .string()
  .max(256)
  .describe('signing secret (`whsec_…`); generated when absent, shown only in this response');
const enabled = z.boolean().describe('disabled webhooks receive nothing');

const webhookFields = {
  url,
  events: events.default(['*']),
  headers: headers.optional(),
  secret: secret.optional(),
  enabled: enabled.default(true),
};

export const createWebhookBody = z.strictObject({
  sessionId: z
    .string()
    .min(1)
    .max(128)
    .nullable()
    .optional()
    .describe('the session whose events it receives; null or absent: all sessions (admin only)'),
  ...webhookFields,
});
export type CreateWebhookBody = z.infer<typeof createWebhookBody>;

export const createSessionWebhookBody = z.strictObject(webhookFields);

export const updateWebhookBody = z
  .strictObject({
    url: url.optional(),
    events: events.optional(),
    headers: headers
      .describe('replaces all headers; a value of "***" keeps the stored value of that header')
      .optional(),
    secret: secret.optional(),
    rotateSecret: z.boolean().optional().describe('true: generate a new secret (returned in this response)'),
    enabled: enabled.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change: the body is empty')
  .refine((patch) => !(patch.secret !== undefined && patch.rotateSecret), {
    message: 'send either secret or rotateSecret, not both',
  });
export type UpdateWebhookBody = z.infer<typeof updateWebhookBody>;

export const webhookView = z.object({
  id: z.string().describe('`config` for the global webhook from configuration'),
  sessionId: z.string().nullable().describe('null: receives the events of every session'),
  source: z.enum(['api', 'config']).describe('`config` entries are read-only (set in the environment)'),
  url: z.string(),
  events: z.array(z.string()),
  headers: z.record(z.string(), z.string()).describe('names as stored, values always "***"'),
  secretPrefix: z.string().nullable().describe('the first characters of the secret; null when unsigned'),
  enabled: z.boolean(),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type WebhookView = z.infer<typeof webhookView>;

export const createdWebhook = webhookView.extend({
  secret: z.string().describe('the full signing secret: shown this once'),
});

export const updatedWebhook = webhookView.extend({
  secret: z.string().optional().describe('present only when this request set a new secret'),
});

export const listWebhooksQuery = z.object({
  sessionId: z.string().min(1).max(128).optional().describe("only this session's own webhooks"),
});

export const listWebhooksResponse = z.object({ items: z.array(webhookView) });

export const webhookParams = z.object({ webhookId: z.string().min(1).max(128) });
export const deadLetterParams = webhookParams.extend({ deadLetterId: z.string().min(1).max(128) });

export const listDeadLettersQuery = z.object({
  status: z.enum(DEAD_LETTER_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  /** `nextCursor` of the previous page. */
  cursor: z.string().min(1).max(128).optional(),
});

const deadLetterView = z.object({
  id: z.string(),
  webhookId: z.string(),
  sessionId: z.string().nullable(),
  eventId: z.string(),
  event: z.string(),
  attempts: z.number().describe('delivery attempts made, replays included'),
  lastStatus: z.number().nullable().describe('HTTP status of the last attempt; null when none came back'),
  lastResponse: z.string().nullable().describe('first bytes of the last response body'),
  lastError: z.string().nullable(),
  status: z.enum(DEAD_LETTER_STATUSES),
  replayCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  payload: z.record(z.string(), z.unknown()).describe('the event envelope as delivered'),
});
export type DeadLetterView = z.infer<typeof deadLetterView>;

export const listDeadLettersResponse = z.object({
  items: z.array(deadLetterView),
  nextCursor: z.string().nullable(),
});

export const replayResponse = z.object({
  replayed: z.number().describe('dead letters handed back to the delivery queue'),
  ids: z.array(z.string()),
});

export const discardResponse = z.object({ discarded: z.number() });
