import closeWithGrace from 'close-with-grace';

export interface GracefulShutdownOptions {
  logger: { info: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
  /** Forced exit (code 1) if closing takes longer than this, in ms. The spec's budget is 30 s. */
  timeoutMs: number;
  /** Closes everything the process opened, in order. Resolving lets the process exit with code 0. */
  close: (reason: { signal?: string; err?: unknown; manual?: boolean }) => Promise<void>;
}

/**
 * SIGTERM/SIGINT (and uncaught errors) run `close` once; a second signal or the timeout forces the
 * exit. Built on close-with-grace (fastify's own recommendation) rather than hand-written handlers.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions) {
  return closeWithGrace(
    {
      delay: options.timeoutMs,
      logger: false,
      onTimeout: (delay: number) =>
        options.logger.error({ delay }, 'graceful shutdown timed out, forcing exit'),
      onSecondSignal: (signal: string) => options.logger.error({ signal }, 'second signal, exiting now'),
    },
    async ({ signal, err, manual }) => {
      if (err) options.logger.error({ err }, 'fatal error, shutting down');
      else options.logger.info({ signal }, 'shutting down');
      await options.close({ signal, err, manual });
      options.logger.info({}, 'shutdown complete');
    },
  );
}
