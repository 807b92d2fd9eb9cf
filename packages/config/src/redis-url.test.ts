import { describe, expect, it } from 'vitest';
import { loadApiConfig, loadSchedulerConfig, loadWorkerConfig } from './index.js';
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

  it('reads the startup nodes and a password from redis+cluster://', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
    expect(parseRedisUrl('redis+cluster://:p%40ss@node-1:6379')).toEqual({
      kind: 'cluster',
      nodes: [{ host: 'node-1', port: 6379 }],
      password: 'p@ss',
    });
  });

  it('with a cluster, QUEUE_PREFIX must be a hash tag, so every key lands in one slot', () => {
    const url = 'redis+cluster://a:7000,b:7001';
    expect(loadWorkerConfig({ REDIS_URL: url, QUEUE_PREFIX: '{wagw}' }).redis).toEqual({
      url,
      prefix: '{wagw}',
    });
    for (const load of [loadWorkerConfig, loadApiConfig, loadSchedulerConfig])
      expect(() => load({ REDIS_URL: url, API_KEY: 'k'.repeat(32) })).toThrow(
        /^Invalid configuration: QUEUE_PREFIX must be a hash tag such as \{wagw\} with a redis\+cluster:\/\/ REDIS_URL/,
      );
    // Without a cluster a tagged prefix is just a prefix (a deployment can move to a cluster later).
    expect(loadWorkerConfig({ QUEUE_PREFIX: '{wagw}' }).redis.prefix).toBe('{wagw}');
    expect(() => loadWorkerConfig({ QUEUE_PREFIX: '{wagw' })).toThrow(/QUEUE_PREFIX expected 1-64 letters/);
    expect(() => loadWorkerConfig({ QUEUE_PREFIX: '{}' })).toThrow(/QUEUE_PREFIX expected 1-64 letters/);
  });

  it.each([
    ['http://127.0.0.1:6379', /redis\+cluster/],
    ['redis+sentinel://h:26379', /master/],
    ['redis+sentinel://h/main', /host:port/],
    ['redis+sentinel://h:99999/main', /host:port/],
    ['redis+sentinel://h:1,/main', /host:port/],
    ['redis+sentinel://h:1/main/x', /database number/],
    ['redis+sentinel://h:1/main/0/extra', /master/],
    ['redis+cluster://h:1/0', /no database number or options/],
    ['redis+cluster://h:1/?tls=1', /no database number or options/],
    ['redis+cluster://h', /host:port for a cluster node/],
    ['redis+cluster://h:1,,h:2', /host:port for a cluster node/],
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
