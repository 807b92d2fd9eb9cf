import { and, asc, eq, isNull, or } from 'drizzle-orm';
import { newId } from '../../ids.js';
import { webhooks } from '../../schema/pg.js';
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
  };
}
