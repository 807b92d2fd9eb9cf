import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePorts } from './ports.js';
import { until, waitForPing } from './redis-server.js';
import { createTempDir } from './temp-dir.js';

export interface RedisCluster {
  /** REDIS_URL for the processes: `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,…`. */
  url: string;
  /** Every node's client port, masters first as created (roles change after a failover). */
  ports: number[];
  /** The ports of the master serving `slot` now and of its replicas (CLUSTER SLOTS of a live node). */
  shardOf(slot: number): Promise<{ master: number; replicas: number[] }>;
  /** kill -9 of one node, as a crashed host: its replica (if any) is promoted after the node timeout. */
  kill(port: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Redis Cluster on loopback ports: `masters` (at least 3, Redis' minimum) and `replicasPerMaster`
 * replicas each, started with `--cluster-enabled yes` and joined by `redis-cli --cluster create`,
 * no persistence. Resolves once every node reports `cluster_state:ok` and lists every replica
 * online (bounded: 20 s); `close()` kills them all and deletes their temp dir.
 */
export async function startRedisCluster(
  options: { masters?: number; replicasPerMaster?: number } = {},
): Promise<RedisCluster> {
  const { masters = 3, replicasPerMaster = 0 } = options;
  const dir = createTempDir('wagw-cluster-');
  const children: ChildProcess[] = [];
  const killChild = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  };
  const kill = () => Promise.all(children.map(killChild));

  try {
    /**
     * One node on fresh ports, started again on others when it exits before answering: between
     * picking a free port and redis-server binding it, another test's process may take it (seen once
     * in a full run: a node never answered and the file failed after 10 s).
     */
    const startNode = async (): Promise<number> => {
      for (let attempt = 1; ; attempt++) {
        // The bus port is given explicitly: the default (port + 10000) may be taken or out of range.
        const [port, busPort] = (await freePorts(2)) as [number, number];
        const child = spawn(
          'redis-server',
          [
            '--bind',
            '127.0.0.1',
            '--port',
            String(port),
            '--cluster-enabled',
            'yes',
            '--cluster-port',
            String(busPort),
            '--cluster-config-file',
            join(dir.path, `nodes-${port}.conf`),
            // Fast failure detection, so a test that kills a master sees the failover in seconds.
            '--cluster-node-timeout',
            '2000',
            // A replica counts as online once its offset moves; the master's pings move it (default 10 s).
            '--repl-ping-replica-period',
            '1',
            '--dir',
            dir.path,
            '--dbfilename',
            `dump-${port}.rdb`,
            '--save',
            '',
            '--appendonly',
            'no',
          ],
          { stdio: 'ignore' },
        );
        children.push(child);
        const exited = once(child, 'exit').then(() => false);
        if (
          await Promise.race([
            waitForPing(port).then(
              () => true,
              () => false,
            ),
            exited,
          ])
        )
          return port;
        if (attempt >= 3) throw new Error(`a cluster node's redis-server exited at start ${attempt} times`);
      }
    };
    const ports: number[] = [];
    for (let i = 0; i < masters * (1 + replicasPerMaster); i++) ports.push(await startNode());

    const create = spawn(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        String(replicasPerMaster),
        '--cluster-yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    create.stdout.on('data', (chunk) => (output += chunk));
    create.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => create.kill('SIGKILL'), 30_000);
    const [code] = (await once(create, 'exit')) as [number | null];
    clearTimeout(timer);
    if (code !== 0) throw new Error(`redis-cli --cluster create failed (${code}): ${output.slice(-2000)}`);

    const ask = async (port: number, ...command: [string, ...string[]]) => {
      const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        return String(await probe.call(...command));
      } catch {
        return '';
      } finally {
        probe.disconnect();
      }
    };
    // Every node, not just one: a node that has not yet learnt the slot map answers with errors.
    // And every replica in sync: one that never synced may refuse to take over when its master dies.
    await until(
      async () => {
        const infos = await Promise.all(ports.map((port) => ask(port, 'CLUSTER', 'INFO')));
        const replication = await Promise.all(ports.map((port) => ask(port, 'INFO', 'replication')));
        // Each node must also list every replica as online (known by gossip, offset above 0): CLUSTER
        // SLOTS leaves out the others, so clients and a failover would not count on them yet.
        const views = await Promise.all(ports.map((port) => ask(port, 'CLUSTER', 'SHARDS')));
        const replicas = masters * replicasPerMaster;
        return (
          infos.every((info) => info.includes('cluster_state:ok')) &&
          replication.filter((info) => info.includes('master_link_status:up')).length === replicas &&
          views.every((view) => (view.match(/\bonline\b/g) ?? []).length === ports.length)
        );
      },
      20_000,
      'cluster_state:ok on every node and every replica in sync',
    );

    return {
      url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`,
      ports,
      async shardOf(slot) {
        for (const port of ports) {
          const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null });
          probe.on('error', () => {});
          try {
            await probe.connect();
            const ranges = (await probe.call('CLUSTER', 'SLOTS')) as Array<
              [number, number, ...Array<[string, number]>]
            >;
            const range = ranges.find(([from, to]) => slot >= from && slot <= to);
            if (range) {
              const [, , master, ...replicas] = range;
              if (master) return { master: Number(master[1]), replicas: replicas.map(([, p]) => Number(p)) };
            }
          } catch {
            // A killed node: ask the next one.
          } finally {
            probe.disconnect();
          }
        }
        throw new Error(`no node knows the master of slot ${slot}`);
      },
      async kill(port) {
        const child = children[ports.indexOf(port)];
        if (!child) throw new Error(`no cluster node on port ${port}`);
        await killChild(child);
      },
      async close() {
        await kill();
        dir.cleanup();
      },
    };
  } catch (err) {
    await kill();
    dir.cleanup();
    throw err;
  }
}
