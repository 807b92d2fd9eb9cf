export { createPgSchema, type PgSchema, testDatabaseUrl } from './pg-schema.js';
export { freePort } from './ports.js';
export { redisUrl, uniquePrefix } from './redis.js';
export { createTempDir, type TempDir, type TempSqlite, tempSqliteUrl } from './temp-dir.js';
