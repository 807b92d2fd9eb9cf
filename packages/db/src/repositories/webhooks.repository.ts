import { and, asc, count, eq, isNull, or } from 'drizzle-orm';
import type { Executor } from '../executor/executor.js';
import { newId } from '../ids.js';
import type { NewWebhook, Webhook, WebhooksRepository } from './repository-types.js';
import { webhookPatchSet } from './row-builders.js';

function newWebhookRow(input: NewWebhook): Webhook {
  const now = new Date();
  return {
    id: newId(now.getTime()),
    sessionId: input.sessionId ?? null,
    url: input.url,
    events: input.events,
    headers: input.headers ?? {},
    secret: input.secret ?? null,
    enabled: input.enabled ?? true,
    createdAt: now,
    updatedAt: now,
  };
}

export function createWebhooksRepository(x: Executor): WebhooksRepository {
  const { webhooks, webhookDeadLetters, sessions } = x.tables;
  const enabledOnly = (opts?: { includeDisabled?: boolean }) =>
    opts?.includeDisabled ? undefined : eq(webhooks.enabled, true);
  return {
    async create(input) {
      const row = newWebhookRow(input);
      await x.run(x.db.insert(webhooks).values(row));
      return row;
    },

    createWithinCap(input, max) {
      return x.transaction(async (tx) => {
        // The session row is the lock every create for this session queues on (PostgreSQL); a
        // missing session is left to the insert's foreign key, as with `create`.
        await tx.first(
          tx.forUpdate(
            tx.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, input.sessionId)).limit(1),
          ),
        );
        const counted = await tx.first(
          tx.db.select({ n: count() }).from(webhooks).where(eq(webhooks.sessionId, input.sessionId)),
        );
        const n = Number(counted?.n ?? 0);
        if (n >= max) return { full: { count: n } };
        const row = newWebhookRow(input);
        await tx.run(tx.db.insert(webhooks).values(row));
        return { created: row };
      });
    },

    getById(id) {
      return x.first(x.db.select().from(webhooks).where(eq(webhooks.id, id)).limit(1));
    },

    list(filter) {
      const sessionId = filter?.sessionId;
      const where =
        sessionId === undefined
          ? undefined
          : sessionId === null
            ? isNull(webhooks.sessionId)
            : eq(webhooks.sessionId, sessionId);
      return x.all(x.db.select().from(webhooks).where(where).orderBy(asc(webhooks.id)));
    },

    listForSession(sessionId, opts) {
      const mine = or(eq(webhooks.sessionId, sessionId), isNull(webhooks.sessionId));
      return x.all(
        x.db
          .select()
          .from(webhooks)
          .where(and(mine, enabledOnly(opts)))
          .orderBy(asc(webhooks.id)),
      );
    },

    listGlobal(opts) {
      return x.all(
        x.db
          .select()
          .from(webhooks)
          .where(and(isNull(webhooks.sessionId), enabledOnly(opts)))
          .orderBy(asc(webhooks.id)),
      );
    },

    update(id, patch) {
      return x.first(
        x.db.update(webhooks).set(webhookPatchSet(patch, new Date())).where(eq(webhooks.id, id)).returning(),
      );
    },

    delete(id) {
      return x.transaction(async (tx) => {
        const gone = await tx.all(
          tx.db.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id }),
        );
        // Only once the webhook existed: `config` (or a typo) must not wipe someone's dead letters.
        if (gone.length > 0) {
          await tx.run(tx.db.delete(webhookDeadLetters).where(eq(webhookDeadLetters.webhookId, id)));
        }
        return gone.length > 0;
      });
    },
  };
}
