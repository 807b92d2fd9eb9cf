import type { Repositories } from '../types.js';
import { createPgApiKeysRepository } from './api-keys.repository.js';
import { createPgAuthStateRepository } from './auth-state.repository.js';
import { createPgContactsRepository } from './contacts.repository.js';
import type { PgDb } from './db.js';
import { createPgDeadLettersRepository } from './dead-letters.repository.js';
import { createPgIdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { createPgMessagesRepository } from './messages.repository.js';
import { createPgSessionEventsRepository, createPgSessionsRepository } from './sessions.repository.js';
import { createPgWebhooksRepository } from './webhooks.repository.js';

export function createPgRepositories(db: PgDb): Repositories {
  return {
    sessions: createPgSessionsRepository(db),
    sessionEvents: createPgSessionEventsRepository(db),
    authState: createPgAuthStateRepository(db),
    messages: createPgMessagesRepository(db),
    contacts: createPgContactsRepository(db),
    webhooks: createPgWebhooksRepository(db),
    deadLetters: createPgDeadLettersRepository(db),
    apiKeys: createPgApiKeysRepository(db),
    idempotencyKeys: createPgIdempotencyKeysRepository(db),
  };
}
