import { describe, expect, it } from 'vitest';
import { InvalidNetworkError, parseNetworkList } from './network-list.js';

describe('parseNetworkList', () => {
  it('parses a comma list, a bare address being a single host', () => {
    expect(parseNetworkList(' 127.0.0.0/8, ::1/128,10.0.0.5 , fd00::1,')).toEqual([
      '127.0.0.0/8',
      '::1/128',
      '10.0.0.5/32',
      'fd00::1/128',
    ]);
    expect(parseNetworkList('')).toEqual([]);
  });

  it.each([
    ['10.0.0.0/33', /prefix length must be an integer from 0 to 32/],
    ['::1/129', /from 0 to 128/],
    ['10.0.0.0/x', /10\.0\.0\.0\/x/],
    ['example.com', /invalid network "example.com": expected an IP address or a CIDR/],
    ['300.1.1.1/8', /invalid network "300\.1\.1\.1\/8"/],
  ])('throws a clear error for %s', (entry, message) => {
    expect(() => parseNetworkList(`127.0.0.0/8, ${entry}`)).toThrow(message);
  });
});

describe('InvalidNetworkError', () => {
  it.each([
    ['intranet.local', 'not an IP address'],
    ['10.0.0.256', 'not an IP address'],
    ['10.0.0.0/33', 'the prefix length must be an integer from 0 to 32'],
    ['fd00::/129', 'the prefix length must be an integer from 0 to 128'],
    ['10.0.0.0/', 'the prefix length must be an integer from 0 to 32'],
  ])('names the entry %s and the reason, for callers that word their own message', (entry, reason) => {
    const err = (() => {
      try {
        parseNetworkList(`::1, ${entry}`);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InvalidNetworkError);
    expect(err).toMatchObject({ entry, reason });
  });
});
