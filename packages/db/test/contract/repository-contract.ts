import { afterAll, beforeAll, describe } from 'vitest';
import { authStateContract } from './auth-state.contract.js';
import { batchesOutboxContract } from './batches-outbox.contract.js';
import { chatsContract } from './chats.contract.js';
import type { ContractContext, ContractFactory, ContractTarget } from './contract-context.js';
import { databaseContract } from './database.contract.js';
import { directoryContract } from './directory.contract.js';
import { eventOutboxContract } from './event-outbox.contract.js';
import { groupsContract } from './groups.contract.js';
import { idempotencyKeysContract } from './idempotency-keys.contract.js';
import { idempotentInsertContract } from './idempotent-insert.contract.js';
import { mediaDownloadsContract } from './media-downloads.contract.js';
import { messageCountsContract } from './message-counts.contract.js';
import { messagesContract } from './messages.contract.js';
import { sessionsContract } from './sessions.contract.js';
import { webhookCapContract } from './webhook-cap.contract.js';
import { webhooksContract } from './webhooks.contract.js';

export type { ContractFactory, ContractTarget } from './contract-context.js';

/**
 * The one repository contract, run unchanged against every dialect. The factory must throw when
 * its server is unreachable: a missing PostgreSQL fails the suite, it never skips it.
 * One migrated database per suite; tests isolate themselves with unique session names.
 */
export function describeRepositoryContract(name: string, factory: ContractFactory): void {
  describe(`repository contract: ${name}`, () => {
    let target: ContractTarget | undefined;
    const ctx: ContractContext = {
      get target() {
        if (!target) throw new Error('contract target not ready (did beforeAll fail?)');
        return target;
      },
      get db() {
        return ctx.target.db;
      },
    };

    beforeAll(async () => {
      target = await factory();
      await target.db.migrate();
    });

    afterAll(async () => {
      await target?.cleanup();
    });

    describe('sessions', () => sessionsContract(ctx));
    describe('authState', () => authStateContract(ctx));
    describe('messages', () => messagesContract(ctx));
    describe('message counts', () => messageCountsContract(ctx));
    describe('mediaDownloads', () => mediaDownloadsContract(ctx));
    describe('batches and outbox', () => batchesOutboxContract(ctx));
    describe('idempotencyKeys', () => idempotencyKeysContract(ctx));
    describe('sends committing their Idempotency-Key', () => idempotentInsertContract(ctx));
    describe('event outbox', () => eventOutboxContract(ctx));
    describe('contacts, webhooks, apiKeys', () => directoryContract(ctx));
    describe('groups', () => groupsContract(ctx));
    describe('chats', () => chatsContract(ctx));
    describe('webhooks and dead letters', () => webhooksContract(ctx));
    describe('webhooks cap under contention', () => webhookCapContract(ctx));
    describe('database', () => databaseContract(ctx));
  });
}
