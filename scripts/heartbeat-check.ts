/**
 * Container health check for processes without an HTTP port (worker, scheduler): healthy while this
 * host's process of the given role has a live heartbeat in Redis. Usage: heartbeat-check.ts <role>
 */
import { hostname } from 'node:os';
import { connectRedis, listHeartbeats } from '@wagw/queue';

const role = process.argv[2];
if (!role) {
  process.stderr.write('usage: heartbeat-check.ts <role>\n');
  process.exit(2);
}
const redis = connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 3000,
  lazyConnect: true,
});
redis.on('error', () => {});
try {
  await redis.connect();
  const beats = await listHeartbeats(redis, process.env.QUEUE_PREFIX ?? 'wagw', role);
  const mine = beats.filter((beat) => beat.instanceId.startsWith(`${role}-${hostname()}-`));
  process.exitCode = mine.length > 0 ? 0 : 1;
} catch {
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
