export { createDatabase } from './client/create-database.js';
export type { Database } from './client/database.js';
export { type ParsedDatabaseUrl, parseDatabaseUrl, redactDatabaseUrl } from './client/database-url.js';
export { checkDatabaseHealth, type HealthResult } from './client/health.js';
export { type DatabaseOptions, DEFAULTS as DATABASE_DEFAULTS } from './client/options.js';
export { newId } from './ids.js';
export type * from './repositories/repository-types.js';
export { hashApiKey } from './repositories/row-builders.js';
export * from './schema/enums.js';
