import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, freePorts } from './ports.js';
import { until, waitForPing } from './redis-server.js';
import { createTempDir } from './temp-dir.js';

const MASTER_NAME = 'wagw-test';

export interface SentinelGroup {
  /** REDIS_URL for the processes: `redis+sentinel://127.0.0.1:p1,…/wagw-test`. */
  url: string;
  masterName: string;
  /** The port of the server the sentinels currently name as master. */
  masterPort(): Promise<number>;
  /** A coordinated failover (SENTINEL FAILOVER): resolves when the sentinels name the new master. */
  failover(timeoutMs?: number): Promise<{ from: number; to: number; ms: number }>;
  close(): Promise<void>;
}

/**
 * A Redis master, one replica and three sentinels on loopback ports, started with `redis-server`
 * (which runs as a sentinel with `--sentinel`), nothing kept on disk. For tests of failover through
 * `redis+sentinel://` URLs; every process is killed by `close()`.
 */
export async function startSentinelGroup(): Promise<SentinelGroup> {
  const dir = createTempDir('wagw-sentinel-');
  const children: ChildProcess[] = [];
  const start = async (args: string[]) => {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    children.push(child);
    return child;
  };
  const server = async (port: number, extra: string[] = []) => {
    await start([
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      // A replica's full sync writes an RDB file even with saving off: into the temp dir, one
      // name per server (two servers renaming the same file in one directory corrupt the sync).
      '--dir',
      dir.path,
      '--dbfilename',
      `dump-${port}.rdb`,
      '--save',
      '',
      '--appendonly',
      'no',
      ...extra,
    ]);
    await waitForPing(port);
  };

  try {
    const [master, replica] = (await freePorts(2)) as [number, number];
    await server(master);
    await server(replica, ['--replicaof', '127.0.0.1', String(master)]);
    await until(
      async () => {
        const probe = new Redis({ host: '127.0.0.1', port: replica, lazyConnect: true });
        try {
          await probe.connect();
          return (await probe.info('replication')).includes('master_link_status:up');
        } finally {
          probe.disconnect();
        }
      },
      10_000,
      'the replica to finish its first sync',
    );
    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = join(dir.path, `sentinel-${port}.conf`);
      // The config file must be writable: sentinels record what they learn in it.
      writeFileSync(
        conf,
        [
          `bind 127.0.0.1`,
          `port ${port}`,
          `dir ${dir.path}`,
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master} 2`,
          `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
          `sentinel failover-timeout ${MASTER_NAME} 5000`,
          `sentinel parallel-syncs ${MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      await start([conf, '--sentinel']);
      await waitForPing(port);
      sentinelPorts.push(port);
    }
    const sentinel = new Redis({ host: '127.0.0.1', port: sentinelPorts[0]!, lazyConnect: true });
    await sentinel.connect();
    const masterPort = async () => {
      const [, port] = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [
        string,
        string,
      ];
      return Number(port);
    };
    // Ready once the sentinels know each other and the replica (a failover needs both).
    await until(
      async () => {
        const info = (await sentinel.call('SENTINEL', 'master', MASTER_NAME)) as string[];
        const field = (name: string) => Number(info[info.indexOf(name) + 1]);
        return field('num-other-sentinels') >= 2 && field('num-slaves') >= 1;
      },
      15_000,
      'sentinels to discover each other and the replica',
    );

    return {
      url: `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${MASTER_NAME}`,
      masterName: MASTER_NAME,
      masterPort,
      async failover(timeoutMs = 20_000) {
        const from = await masterPort();
        const started = Date.now();
        // The replica must be in sync, or the sentinel refuses ("NOGOODSLAVE"): retry briefly.
        await until(
          async () => (await sentinel.call('SENTINEL', 'failover', MASTER_NAME).catch(() => null)) === 'OK',
          10_000,
          'SENTINEL FAILOVER to be accepted',
        );
        await until(async () => (await masterPort()) !== from, timeoutMs, 'a new master');
        return { from, to: await masterPort(), ms: Date.now() - started };
      },
      async close() {
        sentinel.disconnect();
        await Promise.all(
          children.map(async (child) => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill('SIGKILL');
            await once(child, 'exit');
          }),
        );
        dir.cleanup();
      },
    };
  } catch (err) {
    for (const child of children) child.kill('SIGKILL');
    dir.cleanup();
    throw err;
  }
}
