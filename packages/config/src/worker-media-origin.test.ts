import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './index.js';

describe('loadWorkerConfig: WA_MEDIA_ORIGIN_OVERRIDE', () => {
  it('is off by default and when empty', () => {
    expect(loadWorkerConfig({}).whatsapp.mediaOriginOverride).toBeUndefined();
    expect(loadWorkerConfig({ WA_MEDIA_ORIGIN_OVERRIDE: ' ' }).whatsapp.mediaOriginOverride).toBeUndefined();
  });

  it.each([
    ['127.0.0.1:8443', { host: '127.0.0.1', port: 8443 }],
    ['media-cdn:443', { host: 'media-cdn', port: 443 }],
    ['cdn.test.internal:1', { host: 'cdn.test.internal', port: 1 }],
    ['[::1]:65535', { host: '::1', port: 65535 }],
    ['[fd00::5]:9000', { host: 'fd00::5', port: 9000 }],
    [' localhost:8443 ', { host: 'localhost', port: 8443 }],
  ])('reads %s', (value, expected) => {
    expect(loadWorkerConfig({ WA_MEDIA_ORIGIN_OVERRIDE: value }).whatsapp.mediaOriginOverride).toEqual(
      expected,
    );
  });

  it.each([
    'localhost',
    '127.0.0.1',
    ':443',
    'localhost:0',
    'localhost:65536',
    'localhost:https',
    'localhost:-1',
    '::1:443',
    '[::1]',
    '[not-ipv6]:443',
    '[127.0.0.1]:443',
    '999.1.1.1:443',
    '-bad-.example:443',
    'under_score.example:443',
    'https://cdn.example:443',
    'cdn.example:443/path',
  ])('rejects %s, naming the variable', (value) => {
    expect(() => loadWorkerConfig({ WA_MEDIA_ORIGIN_OVERRIDE: value })).toThrow(
      /^Invalid configuration: WA_MEDIA_ORIGIN_OVERRIDE expected host:port .*got "/,
    );
  });
});
