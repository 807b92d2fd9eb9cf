import { and, asc, eq, isNull, or } from 'drizzle-orm';
import { newId } from '../../ids.js';
import { webhookDeadLetters, webhooks } from '../../schema/pg.js';
import { webhookPatchSet } from '../shared.js';
import type { Webhook, WebhooksRepository } from '../types.js';
import type { PgDb } from './db.js';

export function createPgWebhooksRepository(db: PgDb): WebhooksRepository {
  return {
    async create(input) {
      const now = new Date();
      const row: Webhook = {
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
      await db.insert(webhooks).values(row);
      return row;
    },

    async getById(id) {
      const rows = await db.select().from(webhooks).where(eq(webhooks.id, id)).limit(1);
      return rows[0] ?? null;
    },

    async list(filter) {
      const sessionId = filter?.sessionId;
      return db
        .select()
        .from(webhooks)
        .where(
          sessionId === undefined
            ? undefined
            : sessionId === null
              ? isNull(webhooks.sessionId)
              : eq(webhooks.sessionId, sessionId),
        )
        .orderBy(asc(webhooks.id));
    },

    async listForSession(sessionId, opts) {
      return db
        .select()
        .from(webhooks)
        .where(
          and(
            or(eq(webhooks.sessionId, sessionId), isNull(webhooks.sessionId)),
            opts?.includeDisabled ? undefined : eq(webhooks.enabled, true),
          ),
        )
        .orderBy(asc(webhooks.id));
    },

    async listGlobal(opts) {
      return db
        .select()
        .from(webhooks)
        .where(
          and(isNull(webhooks.sessionId), opts?.includeDisabled ? undefined : eq(webhooks.enabled, true)),
        )
        .orderBy(asc(webhooks.id));
    },

    async update(id, patch) {
      const rows = await db
        .update(webhooks)
        .set(webhookPatchSet(patch, new Date()))
        .where(eq(webhooks.id, id))
        .returning();
      return rows[0] ?? null;
    },

    async delete(id) {
      return db.transaction(async (tx) => {
        const gone = await tx.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id });
        // Only once the webhook existed: `config` (or a typo) must not wipe someone's dead letters.
        if (gone.length > 0) await tx.delete(webhookDeadLetters).where(eq(webhookDeadLetters.webhookId, id));
        return gone.length > 0;
      });
    },
  };
}
