import { type RedisConnection, recordMedia } from '@wagw/queue';

/**
 * Counts a file stored by this API (an upload, or an inline `media.base64`) in the media counters
 * every replica exports. Best effort and never awaited: a count lost while Redis is down must not
 * fail or slow down a request whose file is safely stored.
 */
export function storedMediaCounter(redis: RedisConnection, redisPrefix: string): (bytes: number) => void {
  return (bytes) => {
    recordMedia(redis, redisPrefix, 'stored', bytes).catch(() => undefined);
  };
}
