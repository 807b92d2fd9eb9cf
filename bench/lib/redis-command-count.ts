/**
 * Counts the Redis commands one process sends while `work` runs, by command name: Redis' MONITOR
 * stream, kept to the client addresses that belong to that process (`ss -tnp`, read after the work
 * so connections opened during it count too). `INFO commandstats` deltas would also count every
 * other process sharing the Redis server (other tests, other benches); MONITOR names the client.
 * MONITOR slows Redis down, so a counted run is never a timed one.
 */
import { execFileSync } from 'node:child_process';
import { redisUrl } from '@wagw/testing';
import { Redis } from 'ioredis';

export interface CommandCount {
  /** Commands the process sent (EVALSHA counts once). */
  total: number;
  byCommand: Map<string, number>;
  /** Commands Redis ran inside those scripts (what `INFO commandstats` adds on top). */
  inScripts: number;
  inScriptsByCommand: Map<string, number>;
}

/** The `ip:port` ends of the TCP connections process `pid` holds to Redis' port. */
function clientAddresses(pid: number, redisPort: number): Set<string> {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${redisPort} )`], {
    encoding: 'utf8',
  });
  const addresses = new Set<string>();
  for (const line of out.split('\n')) {
    if (!line.includes(`pid=${pid},`)) continue;
    // Columns: Recv-Q Send-Q Local:Port Peer:Port Process (the state column is left out with `state`).
    const local = line.trim().split(/\s+/)[2];
    if (local) addresses.add(local);
  }
  return addresses;
}

export async function countRedisCommands(pid: number, work: () => Promise<void>): Promise<CommandCount> {
  const url = new URL(redisUrl());
  const client = new Redis(redisUrl(), { lazyConnect: true });
  const monitor = await client.monitor();
  const seen: { source: string; command: string; lua: boolean }[] = [];
  // MONITOR is in execution order: a script's commands (source "lua") follow the EVALSHA that ran them.
  let lastClient = '';
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const lua = source === 'lua';
    if (!lua) lastClient = source;
    seen.push({ source: lua ? lastClient : source, command: String(args[0] ?? '').toLowerCase(), lua });
  });
  try {
    await work();
    // The last replies can reach the worker before MONITOR's copy reaches us.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    monitor.disconnect();
    client.disconnect();
  }
  const mine = clientAddresses(pid, Number(url.port || 6379));
  const byCommand = new Map<string, number>();
  let total = 0;
  let inScripts = 0;
  const inScriptsByCommand = new Map<string, number>();
  for (const { source, command, lua } of seen) {
    if (!mine.has(source)) continue;
    if (lua) {
      inScripts++;
      inScriptsByCommand.set(command, (inScriptsByCommand.get(command) ?? 0) + 1);
      continue;
    }
    total++;
    byCommand.set(command, (byCommand.get(command) ?? 0) + 1);
  }
  return { total, byCommand, inScripts, inScriptsByCommand };
}

/** "12.0 sent (evalsha 6.00, publish 3.00, ...); 30.0 more run inside scripts", per item. */
export function perItem(count: CommandCount, items: number): string {
  const list = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([command, n]) => `${command} ${(n / items).toFixed(2)}`)
      .join(', ');
  const sent = `${(count.total / items).toFixed(1)} sent (${list(count.byCommand)})`;
  return `${sent}; ${(count.inScripts / items).toFixed(1)} more run inside scripts (${list(count.inScriptsByCommand)})`;
}
