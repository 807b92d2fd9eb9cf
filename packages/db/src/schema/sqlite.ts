/** SQLite tables (better-sqlite3), made from the one description in `tables.ts`; drizzle-kit reads this file. */
import { sqliteKit } from './column-kit.js';
import { defineTables } from './tables.js';

// biome-ignore format: the table names are listed once per dialect file, on one line.
export const { sessions, sessionEvents, authCreds, authKeys, messages, mediaDownloads, contacts, groups, chats, webhooks, apiKeys, idempotencyKeys, webhookDeadLetters, eventOutbox } = defineTables(sqliteKit);
