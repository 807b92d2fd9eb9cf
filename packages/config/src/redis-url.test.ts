import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './index.js';
import { parseRedisUrl } from './redis-url.js';

describe('REDIS_URL', () => {
  it('passes redis:// and rediss:// URLs through', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({
      kind: 'url',
      url: 'redis://127.0.0.1:6379/2',
    });
    expect(parseRedisUrl('rediss://:pw@cache:6380')).toMatchObject({ kind: 'url' });
  });

  it('reads sentinels, the master name, a password and a database from redis+sentinel://', () => {
    expect(parseRedisUrl('redis+sentinel://10.0.0.1:26379,10.0.0.2:26379,s3:26380/mymaster')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
        { host: 's3', port: 26380 },
      ],
      name: 'mymaster',
    });
    expect(parseRedisUrl('redis+sentinel://:p%40ss@h:26379/main/3')).toEqual({
      kind: 'sentinel',
      sentinels: [{ host: 'h', port: 26379 }],
      name: 'main',
      password: 'p@ss',
      db: 3,
    });
  });

  it.each([
    ['http://127.0.0.1:6379', /redis\+sentinel/],
    ['redis+sentinel://h:26379', /master/],
    ['redis+sentinel://h/main', /host:port/],
    ['redis+sentinel://h:99999/main', /host:port/],
    ['redis+sentinel://h:1,/main', /host:port/],
    ['redis+sentinel://h:1/main/x', /database number/],
    ['redis+sentinel://h:1/main/0/extra', /master/],
  ])('refuses %s', (raw, reason) => {
    expect(() => parseRedisUrl(raw)).toThrow(reason);
  });

  it('is validated at start with one line', () => {
    expect(loadWorkerConfig({ REDIS_URL: 'redis+sentinel://a:1,b:2/m' }).redis.url).toBe(
      'redis+sentinel://a:1,b:2/m',
    );
    expect(() => loadWorkerConfig({ REDIS_URL: 'redis+sentinel://a/m' })).toThrow(
      /^Invalid configuration: REDIS_URL expected host:port for a sentinel, got "a"/,
    );
    expect(() => loadWorkerConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL expected a URL/);
  });
});
