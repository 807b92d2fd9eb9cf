import type { Repositories } from '../types.js';
import { createSqliteApiKeysRepository } from './api-keys.repository.js';
import { createSqliteAuthStateRepository } from './auth-state.repository.js';
import { createSqliteContactsRepository } from './contacts.repository.js';
import type { SqliteDb } from './db.js';
import { createSqliteDeadLettersRepository } from './dead-letters.repository.js';
import { createSqliteIdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { createSqliteMessagesRepository } from './messages.repository.js';
import {
  createSqliteSessionEventsRepository,
  createSqliteSessionsRepository,
} from './sessions.repository.js';
import { createSqliteWebhooksRepository } from './webhooks.repository.js';

export function createSqliteRepositories(db: SqliteDb): Repositories {
  return {
    sessions: createSqliteSessionsRepository(db),
    sessionEvents: createSqliteSessionEventsRepository(db),
    authState: createSqliteAuthStateRepository(db),
    messages: createSqliteMessagesRepository(db),
    contacts: createSqliteContactsRepository(db),
    webhooks: createSqliteWebhooksRepository(db),
    deadLetters: createSqliteDeadLettersRepository(db),
    apiKeys: createSqliteApiKeysRepository(db),
    idempotencyKeys: createSqliteIdempotencyKeysRepository(db),
  };
}
