import { connect } from 'node:net';
import { testDatabaseUrl } from './pg-schema.js';
import { redisUrl } from './redis.js';
import { MissingToolError } from './tools.js';

/** Whether something accepts TCP connections at host:port within a second. */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

const SERVICES = [
  {
    name: 'Redis',
    url: redisUrl,
    defaultPort: 6379,
    install: 'apt-get install redis-server, then `redis-server --daemonize yes` (or set TEST_REDIS_URL)',
  },
  {
    name: 'PostgreSQL',
    url: testDatabaseUrl,
    defaultPort: 5432,
    install: 'apt-get install postgresql with trust auth and a database `test` (or set TEST_DATABASE_URL)',
  },
] as const;

/**
 * Vitest global setup: before any test file runs, the services most tests use must answer. When one
 * does not, the run stops with one line per missing service saying how to get it, instead of every
 * file failing with ECONNREFUSED.
 */
export default async function checkServices(): Promise<void> {
  const missing: string[] = [];
  for (const service of SERVICES) {
    const url = new URL(service.url());
    const host = url.hostname || '127.0.0.1';
    const port = Number(url.port || service.defaultPort);
    if (!(await answers(host, port)))
      missing.push(`${service.name} not answering at ${host}:${port}: ${service.install}`);
  }
  if (missing.length > 0) throw new MissingToolError(missing.join('\n'));
}
