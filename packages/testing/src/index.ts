export { type LocalS3, s3MediaEnv, startLocalS3 } from './local-s3.js';
export { createPgSchema, type PgSchema, testDatabaseUrl } from './pg-schema.js';
export { freePort } from './ports.js';
export { redisUrl, uniquePrefix } from './redis.js';
export { type EventStreamClient, openEventStream, type SseMessage } from './sse-client.js';
export { createTempDir, type TempDir, type TempSqlite, tempSqliteUrl } from './temp-dir.js';
export { requireTool, type ToolName } from './tools.js';
