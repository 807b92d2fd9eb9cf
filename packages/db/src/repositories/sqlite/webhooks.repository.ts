import { and, asc, eq, isNull, or } from 'drizzle-orm';
import { newId } from '../../ids.js';
import { webhookDeadLetters, webhooks } from '../../schema/sqlite.js';
import { webhookPatchSet } from '../shared.js';
import type { Webhook, WebhooksRepository } from '../types.js';
import { type SqliteDb, WRITE_TX } from './db.js';

export function createSqliteWebhooksRepository(db: SqliteDb): WebhooksRepository {
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
      return db.select().from(webhooks).where(eq(webhooks.id, id)).get() ?? null;
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
        .orderBy(asc(webhooks.id))
        .all();
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
        .orderBy(asc(webhooks.id))
        .all();
    },

    async listGlobal(opts) {
      return db
        .select()
        .from(webhooks)
        .where(
          and(isNull(webhooks.sessionId), opts?.includeDisabled ? undefined : eq(webhooks.enabled, true)),
        )
        .orderBy(asc(webhooks.id))
        .all();
    },

    async update(id, patch) {
      const rows = db
        .update(webhooks)
        .set(webhookPatchSet(patch, new Date()))
        .where(eq(webhooks.id, id))
        .returning()
        .all();
      return rows[0] ?? null;
    },

    async delete(id) {
      // Synchronous: better-sqlite3 transactions cannot span an await.
      return db.transaction((tx) => {
        const gone = tx.delete(webhooks).where(eq(webhooks.id, id)).run().changes > 0;
        // Only once the webhook existed: `config` (or a typo) must not wipe someone's dead letters.
        if (gone) tx.delete(webhookDeadLetters).where(eq(webhookDeadLetters.webhookId, id)).run();
        return gone;
      }, WRITE_TX);
    },
  };
}
