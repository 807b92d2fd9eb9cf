/** A bench's baseline process: a Node script (run with tsx) driven over IPC. */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export function forkBenchChild(script: URL, env: Record<string, string> = {}) {
  const child = fork(fileURLToPath(script), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Every message is kept until asked for: one may arrive before anyone waits for it.
  const inbox: Array<Record<string, unknown>> = [];
  let wake: () => void = () => undefined;
  child.on('message', (message: Record<string, unknown>) => {
    inbox.push(message);
    wake();
  });
  const exited = once(child, 'exit');
  exited.catch(() => undefined);

  return {
    /** The first message (past or future) with `key`; throws on an `error` message or an exit. */
    async next<T>(key: string): Promise<T> {
      for (;;) {
        const index = inbox.findIndex((m) => key in m);
        if (index >= 0) return inbox.splice(index, 1)[0] as T;
        const error = inbox.find((m) => 'error' in m);
        if (error) throw new Error(`${script.pathname}: ${String(error.error)}`);
        const arrived = new Promise<void>((resolve) => {
          wake = resolve;
        });
        await Promise.race([
          arrived,
          exited.then(([code]) => {
            throw new Error(`${script.pathname} exited (${code}) before sending ${key}`);
          }),
        ]);
      }
    },
    send(message: unknown): void {
      child.send(message as never);
    },
    /** Asks the script to end, and kills it if it has not within 5 s. */
    async end(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ end: true });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
