export { createDatabase } from './client/create-database.js';
export type { Database } from './client/database.js';
export { checkDatabaseHealth, type HealthResult } from './client/health.js';
export type { DatabaseOptions } from './client/options.js';
export { newId } from './ids.js';
export type * from './repositories/repository-types.js';
export { hashApiKey } from './repositories/row-builders.js';
export * from './schema/enums.js';
