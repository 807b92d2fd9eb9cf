import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { DEPLOYED_TOPOLOGY } from '@wagw/testing';
import { type Gateway, startGateway } from './harness.js';
import { type Balancer, startBalancer } from './nginx-balancer.js';

const API_KEY = 'e2e-admin-key-0123456789';

interface ApiReplica {
  port: number;
  url: string;
  process(): ChildProcess;
}

/**
 * The production topology on one machine, as docker-compose.yml deploys it: N API processes
 * behind nginx (deploy/nginx.conf), M worker processes, the scheduler, Redis, one database
 * (SQLite file or PostgreSQL schema) and the WhatsApp simulator. Every piece is a real process
 * that a test can kill, pause or restart; `call` goes through the load balancer like a client.
 */
export interface Topology {
  gw: Gateway;
  balancer: Balancer;
  apis: ApiReplica[];
  workerIds: string[];
  /** The scheduler's process name in `gw.workers` (undefined when started without one). */
  schedulerId: string | undefined;
  /** A request through nginx with the admin key (JSON body when given). */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** kill -9 of API replica `i`; its port stays listed in nginx, as a crashed container's would. */
  killApi(i: number): Promise<void>;
  /** Starts API replica `i` again on its port. */
  restartApi(i: number): Promise<void>;
  close(): Promise<void>;
}

export interface TopologyOptions {
  /** Default: as docker-compose.yml deploys (DEPLOYED_TOPOLOGY). */
  apis?: number;
  workers?: number;
  database?: 'sqlite' | 'postgres';
  scheduler?: boolean;
  workerEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
  schedulerEnv?: Record<string, string>;
  /** Default: the shared test Redis. A private one (`startRedisServer`) for tests that stop or freeze it. */
  redisUrl?: string;
}

export async function startTopology(options: TopologyOptions = {}): Promise<Topology> {
  const gw = await startGateway({
    database: options.database,
    workerEnv: options.workerEnv,
    redisUrl: options.redisUrl,
    // The topology starts its own workers, as many as deployed.
    peerWorkers: 0,
  });
  const apiEnv = { ...options.apiEnv };
  try {
    const started = await Promise.all(
      Array.from({ length: options.apis ?? DEPLOYED_TOPOLOGY.apis }, () => gw.startApiReplica(apiEnv)),
    );
    const apis: ApiReplica[] = started.map(({ url }) => {
      const port = Number(new URL(url).port);
      return { port, url, process: () => gw.workers.get(`api-${port}`)! };
    });
    const workerIds = Array.from(
      { length: options.workers ?? DEPLOYED_TOPOLOGY.workers },
      (_, i) => `w${i + 1}`,
    );
    await Promise.all(workerIds.map((id) => gw.startWorker(id)));
    const scheduler = (options.scheduler ?? true) ? await gw.startScheduler(options.schedulerEnv) : undefined;
    const schedulerId = [...gw.workers].find(([, child]) => child === scheduler)?.[0];
    const balancer = await startBalancer(apis.map((a) => `127.0.0.1:${a.port}`));

    return {
      gw,
      balancer,
      apis,
      workerIds,
      schedulerId,
      call(method, path, body, headers = {}) {
        return fetch(`${balancer.url}${path}`, {
          method,
          headers: {
            'x-api-key': API_KEY,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      },
      async killApi(i) {
        const child = apis[i]!.process();
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGKILL');
        await once(child, 'exit');
      },
      async restartApi(i) {
        await gw.startApiReplica({ ...apiEnv, PORT: String(apis[i]!.port) });
      },
      async close() {
        await balancer.close();
        await gw.close();
      },
    };
  } catch (err) {
    await gw.close();
    throw err;
  }
}
