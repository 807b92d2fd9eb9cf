import closeWithGrace from 'close-with-grace';

export interface GracefulShutdownOptions {
  logger: { info: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
  /**
   * Forced exit (code 1) if closing takes longer than this, in ms (`SHUTDOWN_TIMEOUT`, 30 s by
   * default, which matches Kubernetes' default grace period between SIGTERM and SIGKILL).
   */
  timeoutMs: number;
  /** Closes everything the process opened, in order. Resolving lets the process exit with code 0. */
  close: (reason: { signal?: string; err?: unknown; manual?: boolean }) => Promise<void>;
  /**
   * Log unhandled promise rejections instead of shutting down. Default false. The worker sets it:
   * Baileys rejects internal promises nobody awaits (e.g. a frame refused after a lease loss), and
   * one session's stray rejection must not take every other session on the worker down with it.
   * Uncaught exceptions still shut the process down.
   */
  tolerateUnhandledRejections?: boolean;
}

/**
 * SIGTERM/SIGINT (and uncaught errors) run `close` once; a second signal or the timeout forces the
 * exit. Built on close-with-grace (fastify's own recommendation) rather than hand-written handlers.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions) {
  if (options.tolerateUnhandledRejections) {
    process.on('unhandledRejection', (err) =>
      options.logger.error({ err }, 'unhandled promise rejection (ignored)'),
    );
  }
  return closeWithGrace(
    {
      delay: options.timeoutMs,
      skip: options.tolerateUnhandledRejections ? ['unhandledRejection'] : [],
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
