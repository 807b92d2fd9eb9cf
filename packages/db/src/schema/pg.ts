/**
 * PostgreSQL tables, made from the one description in `tables.ts`; drizzle-kit reads this file.
 * Timestamps are `timestamptz`, JSON is `jsonb`, booleans are `boolean`.
 */
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { ColumnKit } from './column-kit.js';
import { defineTables } from './tables.js';

/** Typed as the SQLite kit on purpose: see `column-kit.ts`. */
const pgKit = {
  table: pgTable,
  text,
  integer,
  timestamp: (name: string) => timestamp(name, { withTimezone: true, mode: 'date' }),
  json: (name: string) => jsonb(name),
  boolean: (name: string) => boolean(name),
  index,
  uniqueIndex,
  primaryKey,
} as unknown as ColumnKit;

// biome-ignore format: the table names are listed once per dialect file, on one line.
export const { sessions, sessionEvents, authCreds, authKeys, messages, mediaDownloads, contacts, groups, chats, webhooks, apiKeys, idempotencyKeys, webhookDeadLetters, eventOutbox } = defineTables(pgKit);
