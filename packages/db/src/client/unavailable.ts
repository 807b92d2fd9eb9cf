/**
 * SQLite result codes meaning "another connection holds the lock" (after busy_timeout), not "this
 * statement is wrong": the same write succeeds once the other process lets go.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|PROTOCOL)/;
/** Socket errors on the way to a database server (node:net / dns). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * PostgreSQL SQLSTATEs of an unreachable or refusing server: class 08 (connection exception),
 * 57P01-57P03 (admin/crash shutdown, cannot connect now), 53300 (too many connections), 57014
 * (statement_timeout: a server too slow to answer). Constraint (23xxx) and syntax errors are not here.
 */
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300|57014)$/;
/** node-postgres reports a lost or never-made connection with plain Errors and no code. */
const PG_CLIENT_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|query read timeout|not queryable|connection (was )?closed|Client was closed/i;

/**
 * True when `err` (or an error in its `cause` chain: drizzle wraps driver errors) says the database
 * could not be reached or is locked by someone else, so the same call may succeed later; false for
 * errors of the call itself (constraint, validation, syntax), which a retry would repeat.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let current = err, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { code, name, message } = current as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (SQLITE_UNAVAILABLE.test(code) || NETWORK_CODES.has(code) || PG_UNAVAILABLE.test(code)) return true;
    }
    if (name === 'TimeoutError') return true;
    if (typeof message === 'string' && PG_CLIENT_MESSAGES.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
