import pino, { type Logger, type LoggerOptions } from 'pino';
import { REDACT_PATHS, REDACTED } from './redaction.js';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** Process role (`api`, `worker`, `scheduler`), stamped on every line. */
  name: string;
  /** pino level. Default `info`. */
  level?: string;
  /** Force pretty output on or off. Default: pretty only when stdout is a TTY, so files and log shippers get JSON. */
  pretty?: boolean;
  /** Where lines go. Default stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
  /** Extra fields on every line (e.g. `instanceId`). */
  base?: Record<string, unknown>;
}

function loggerOptions(options: CreateLoggerOptions): LoggerOptions {
  return {
    name: options.name,
    level: options.level ?? 'info',
    base: { pid: process.pid, ...options.base },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    // `err` is the house field for errors; pino's serializer keeps stack and cause.
    serializers: { err: pino.stdSerializers.errWithCause, error: pino.stdSerializers.errWithCause },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const base = loggerOptions(options);
  if (options.destination) return pino(base, options.destination);
  if (pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(base);
}
