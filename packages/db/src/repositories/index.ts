import type { Executor } from '../executor/executor.js';
import { createApiKeysRepository } from './api-keys.repository.js';
import { createAuthStateRepository } from './auth-state.repository.js';
import { createChatsRepository } from './chats.repository.js';
import { createContactsRepository } from './contacts.repository.js';
import { createDeadLettersRepository } from './dead-letters.repository.js';
import { createEventOutboxRepository } from './event-outbox.repository.js';
import { createGroupsRepository } from './groups.repository.js';
import { createIdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { createMediaDownloadsRepository } from './media-downloads.repository.js';
import { createMessagesRepository } from './messages.repository.js';
import type { Repositories } from './repository-types.js';
import { createSessionEventsRepository, createSessionsRepository } from './sessions.repository.js';
import { createWebhooksRepository } from './webhooks.repository.js';

/** Every repository over one executor: the same code for SQLite and PostgreSQL. */
export function createRepositories(x: Executor): Repositories {
  return {
    sessions: createSessionsRepository(x),
    sessionEvents: createSessionEventsRepository(x),
    authState: createAuthStateRepository(x),
    messages: createMessagesRepository(x),
    mediaDownloads: createMediaDownloadsRepository(x),
    contacts: createContactsRepository(x),
    groups: createGroupsRepository(x),
    chats: createChatsRepository(x),
    webhooks: createWebhooksRepository(x),
    deadLetters: createDeadLettersRepository(x),
    apiKeys: createApiKeysRepository(x),
    idempotencyKeys: createIdempotencyKeysRepository(x),
    eventOutbox: createEventOutboxRepository(x),
  };
}
