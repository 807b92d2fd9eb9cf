import type { Database, Webhook, WebhookPatch } from '@wagw/db';
import { AppError } from '@wagw/errors';
import { generateWebhookSecret, type NetworkPolicy } from '@wagw/webhooks';
import { requireSession } from '../../lib/session-guard.js';
import {
  assertEventFilters,
  assertSecret,
  assertWebhookUrl,
  resolveHeaders,
  type UrlCheckOptions,
} from './webhook-validation.js';
import { type ConfigWebhook, toConfigWebhookView, toWebhookView } from './webhook-view.js';
import {
  CONFIG_WEBHOOK_ID,
  type CreateWebhookBody,
  MAX_WEBHOOKS_PER_SESSION,
  type UpdateWebhookBody,
  type WebhookView,
} from './webhooks.schemas.js';

export interface WebhookAdminServiceDeps {
  repos: Pick<Database['repos'], 'sessions' | 'webhooks'>;
  /** The SSRF guard's policy (WEBHOOK_ALLOWED_NETWORKS). */
  policy: NetworkPolicy;
  /** The global webhook from configuration, listed read-only as `config`; null when WEBHOOK_URL is unset. */
  global: ConfigWebhook | null;
  /** DNS resolution for the URL check; default: the system resolver. */
  lookup?: UrlCheckOptions['lookup'];
  /**
   * Called after every committed change, before the response: tells the workers to drop their
   * cached webhook lists (app.ts bumps a version counter in Redis). Best effort: it must not fail
   * the request; workers also refresh on their own after a few seconds.
   */
  onChange?: () => Promise<void>;
}

/**
 * What a webhook id names: a stored webhook, or `config` (which has dead letters even while
 * WEBHOOK_URL is unset, e.g. after the operator removed it).
 */
export type WebhookTarget = { kind: 'config'; config: ConfigWebhook | null } | { kind: 'row'; row: Webhook };

/**
 * Called with the session a webhook belongs to (null: global) before anything is shown or changed;
 * throws 403 when the caller may not touch it (see assertWebhookAccess).
 */
export type Authorize = (sessionId: string | null) => void;

export type WebhookInput = Omit<CreateWebhookBody, 'sessionId'>;

export function ownerOf(target: WebhookTarget): string | null {
  return target.kind === 'config' ? null : target.row.sessionId;
}

function webhookNotFound(id: string): AppError {
  return new AppError('WEBHOOK_NOT_FOUND', `webhook ${id} not found`);
}

function readOnly(): AppError {
  return new AppError(
    'WEBHOOK_READ_ONLY',
    'the webhook `config` comes from configuration (WEBHOOK_URL, WEBHOOK_EVENTS, WEBHOOK_SECRET): change it there',
  );
}

/**
 * The API's side of webhooks: the stored endpoint records (per session and global, plus the
 * read-only one from configuration) created, listed, changed and deleted. Delivering events to
 * them is the worker's job, not this file's.
 */
export function createWebhookAdminService(deps: WebhookAdminServiceDeps) {
  const { sessions, webhooks } = deps.repos;
  const urlCheck: UrlCheckOptions = { policy: deps.policy, lookup: deps.lookup };
  const changed = () => deps.onChange?.().catch(() => undefined);

  async function find(id: string): Promise<WebhookTarget> {
    if (id === CONFIG_WEBHOOK_ID) return { kind: 'config', config: deps.global };
    const row = await webhooks.getById(id);
    if (!row) throw webhookNotFound(id);
    return { kind: 'row', row };
  }

  /**
   * `sessionId` a string: that session's own webhooks; null: global ones; absent: all, with the
   * configuration webhook first when there is one.
   */
  async function list(filter: { sessionId?: string | null } = {}): Promise<WebhookView[]> {
    const rows = await webhooks.list(
      filter.sessionId === undefined ? undefined : { sessionId: filter.sessionId },
    );
    const views = rows.map(toWebhookView);
    const withConfig = filter.sessionId === undefined || filter.sessionId === null;
    return withConfig && deps.global ? [toConfigWebhookView(deps.global), ...views] : views;
  }

  async function listForSession(sessionId: string): Promise<WebhookView[]> {
    await requireSession(sessions, sessionId);
    return list({ sessionId });
  }

  async function get(id: string, authorize: Authorize): Promise<WebhookView> {
    const target = await find(id);
    authorize(ownerOf(target));
    if (target.kind === 'row') return toWebhookView(target.row);
    if (!target.config) throw webhookNotFound(id);
    return toConfigWebhookView(target.config);
  }

  /** Creates a webhook; the response is the only one that carries the whole secret. */
  async function create(
    sessionId: string | null,
    input: WebhookInput,
  ): Promise<WebhookView & { secret: string }> {
    // Cheap checks first; the URL check may wait on DNS.
    assertEventFilters(input.events);
    const headers = resolveHeaders(input.headers ?? {});
    if (input.secret !== undefined) assertSecret(input.secret);
    if (sessionId !== null) await requireSession(sessions, sessionId);
    await assertWebhookUrl(input.url, urlCheck);
    const secret = input.secret ?? generateWebhookSecret();
    const fields = { url: input.url, events: input.events, headers, secret, enabled: input.enabled };
    let row: Webhook;
    if (sessionId === null) {
      row = await webhooks.create({ sessionId, ...fields });
    } else {
      // Counted and inserted atomically: two API replicas must not both pass the cap.
      const outcome = await webhooks.createWithinCap({ sessionId, ...fields }, MAX_WEBHOOKS_PER_SESSION);
      if ('full' in outcome) {
        throw new AppError(
          'CONFLICT',
          `session ${sessionId} already has ${outcome.full.count} webhooks, the most allowed (${MAX_WEBHOOKS_PER_SESSION}); delete one first`,
          { details: { max: MAX_WEBHOOKS_PER_SESSION } },
        );
      }
      row = outcome.created;
    }
    await changed();
    return { ...toWebhookView(row), secret };
  }

  /** Changes the given fields; a response carries the secret only when this request set a new one. */
  async function update(
    id: string,
    input: UpdateWebhookBody,
    authorize: Authorize,
  ): Promise<WebhookView & { secret?: string }> {
    const target = await find(id);
    authorize(ownerOf(target));
    if (target.kind === 'config') throw readOnly();
    const patch: WebhookPatch = {};
    if (input.events !== undefined) {
      assertEventFilters(input.events);
      patch.events = input.events;
    }
    if (input.headers !== undefined) patch.headers = resolveHeaders(input.headers, target.row.headers);
    if (input.secret !== undefined) {
      assertSecret(input.secret);
      patch.secret = input.secret;
    } else if (input.rotateSecret) {
      patch.secret = generateWebhookSecret();
    }
    if (input.enabled !== undefined) patch.enabled = input.enabled;
    if (input.url !== undefined) {
      await assertWebhookUrl(input.url, urlCheck);
      patch.url = input.url;
    }
    const updated = await webhooks.update(id, patch);
    if (!updated) throw webhookNotFound(id);
    const view = toWebhookView(updated);
    await changed();
    return patch.secret ? { ...view, secret: patch.secret } : view;
  }

  /** Deletes the webhook and, in the same transaction, its dead letters. */
  async function remove(id: string, authorize: Authorize): Promise<void> {
    const target = await find(id);
    authorize(ownerOf(target));
    if (target.kind === 'config') throw readOnly();
    if (!(await webhooks.delete(id))) throw webhookNotFound(id);
    await changed();
  }

  return { find, list, listForSession, get, create, update, remove };
}

export type WebhookAdminService = ReturnType<typeof createWebhookAdminService>;
