/** Row types of the tables the repositories read and write, inferred from the one table description. */
import type { Tables } from '../schema/tables.js';

export type Session = Tables['sessions']['$inferSelect'];
export type SessionEvent = Tables['sessionEvents']['$inferSelect'];
export type AuthCreds = Tables['authCreds']['$inferSelect'];
export type Message = Tables['messages']['$inferSelect'];
export type MediaDownload = Tables['mediaDownloads']['$inferSelect'];
export type Contact = Tables['contacts']['$inferSelect'];
export type GroupRow = Tables['groups']['$inferSelect'];
export type ApiKey = Tables['apiKeys']['$inferSelect'];
export type IdempotencyKey = Tables['idempotencyKeys']['$inferSelect'];
