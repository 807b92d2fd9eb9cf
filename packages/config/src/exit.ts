import { ConfigError } from './load.js';

/**
 * Runs a config loader at the top of a main.ts. An invalid environment is an operator error, not a
 * crash: it prints one line naming the variables to stderr and exits 1, without a stack trace.
 */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
