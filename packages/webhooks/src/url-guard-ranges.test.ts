import { describe, expect, it } from 'vitest';
import { addressGuard, checkWebhookUrl, createNetworkPolicy } from './url-guard.js';

// Every special-purpose range the SSRF guard refuses, at both edges (issue #18: NAT64, 6to4, Teredo,
// benchmarking, 192.0.0.0/24 and the TEST-NETs got through). The media URL fetch uses the same
// policy through addressGuard, so one table covers both.
const strict = createNetworkPolicy([]);

const FORBIDDEN: ReadonlyArray<readonly [range: string, first: string, last: string]> = [
  ['0.0.0.0/8 this network', '0.0.0.0', '0.255.255.255'],
  ['10.0.0.0/8 private', '10.0.0.0', '10.255.255.255'],
  ['100.64.0.0/10 carrier-grade NAT', '100.64.0.0', '100.127.255.255'],
  ['127.0.0.0/8 loopback', '127.0.0.0', '127.255.255.255'],
  ['169.254.0.0/16 link-local', '169.254.0.0', '169.254.255.255'],
  ['172.16.0.0/12 private', '172.16.0.0', '172.31.255.255'],
  ['192.0.0.0/24 IETF protocol assignments', '192.0.0.0', '192.0.0.255'],
  ['192.0.2.0/24 TEST-NET-1', '192.0.2.0', '192.0.2.255'],
  ['192.88.99.0/24 6to4 relay anycast', '192.88.99.0', '192.88.99.255'],
  ['192.168.0.0/16 private', '192.168.0.0', '192.168.255.255'],
  ['198.18.0.0/15 benchmarking', '198.18.0.0', '198.19.255.255'],
  ['198.51.100.0/24 TEST-NET-2', '198.51.100.0', '198.51.100.255'],
  ['203.0.113.0/24 TEST-NET-3', '203.0.113.0', '203.0.113.255'],
  ['224.0.0.0/4 multicast', '224.0.0.0', '239.255.255.255'],
  ['240.0.0.0/4 reserved and broadcast', '240.0.0.0', '255.255.255.255'],
  ['::/128 unspecified', '::', '::'],
  ['::1/128 loopback', '::1', '::1'],
  ['::/96 IPv4-compatible', '::0.0.0.2', '::255.255.255.255'],
  ['::ffff:0:0/96 IPv4-mapped, judged as the IPv4', '::ffff:0.0.0.0', '::ffff:127.255.255.255'],
  ['::ffff:0:0:0/96 IPv4-translated', '::ffff:0:0.0.0.0', '::ffff:0:255.255.255.255'],
  ['64:ff9b::/96 NAT64', '64:ff9b::', '64:ff9b::ffff:ffff'],
  ['64:ff9b::/96 NAT64 of a public IPv4', '64:ff9b::8.8.8.8', '64:ff9b::5db8:d822'],
  ['64:ff9b:1::/48 local NAT64', '64:ff9b:1::', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff'],
  ['100::/64 discard-only', '100::', '100::ffff:ffff:ffff:ffff'],
  ['2001::/32 Teredo', '2001::', '2001:0:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2001::/23 IETF protocol assignments', '2001:2::1', '2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2001:db8::/32 documentation', '2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2002::/16 6to4', '2002::', '2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2002::/16 6to4 of a public IPv4', '2002:808:808::1', '2002:5db8:d822::1'],
  ['3fff::/20 documentation', '3fff::', '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['fc00::/7 unique local', 'fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['fe80::/10 link-local', 'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['fec0::/10 site-local', 'fec0::', 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['ff00::/8 multicast', 'ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['outside global unicast 2000::/3 (below)', '1fff::1', '::8:0:0:1'],
  ['outside global unicast 2000::/3 (above)', '4000::1', 'e000::1'],
];

/** Public addresses right next to the ranges above, and some everyday ones: all must pass. */
const PUBLIC = [
  '1.0.0.0',
  '1.1.1.1',
  '8.8.8.8',
  '9.255.255.255',
  '11.0.0.0',
  '93.184.216.34',
  '100.63.255.255',
  '100.128.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.0.1.0',
  '192.0.3.0',
  '192.88.98.255',
  '192.88.100.0',
  '198.17.255.255',
  '198.20.0.0',
  '198.51.99.255',
  '198.51.101.0',
  '203.0.112.255',
  '203.0.114.0',
  '223.255.255.255',
  '::ffff:8.8.8.8',
  '2000::1',
  '2001:200::1',
  '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff',
  '2001:db9::',
  '2001:4860:4860::8888',
  '2003::1',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '3ffe:ffff::1',
  '3fff:1000::',
];

describe('the SSRF guard by range', () => {
  describe.each(FORBIDDEN)('%s', (_range, first, last) => {
    it.each([first, last])('refuses %s', async (address) => {
      expect(strict.isForbidden(address)).toBe(true);
      expect(addressGuard(strict).isForbidden(address)).toBe(true);
      const host = address.includes(':') ? `[${address}]` : address;
      const check = await checkWebhookUrl(`https://${host}/hook`, strict, {
        lookup: async () => {
          throw new Error('an IP literal needs no DNS');
        },
      });
      expect(check).toMatchObject({ ok: false, reason: 'forbidden_address' });
    });
  });

  it.each(PUBLIC)('allows the public address %s', (address) => {
    expect(strict.isForbidden(address)).toBe(false);
  });

  it('refuses a hostname that resolves into NAT64 or 6to4 space', async () => {
    const lookup = async () => ['93.184.216.34', '64:ff9b::a9fe:a9fe'];
    const check = await checkWebhookUrl('https://dual.example/hook', strict, { lookup });
    expect(check).toMatchObject({ ok: false, reason: 'forbidden_address' });
  });

  it('lets the operator allow one of these ranges explicitly', () => {
    const policy = createNetworkPolicy(['198.18.0.0/15', '64:ff9b::/96']);
    expect(policy.isForbidden('198.18.0.1')).toBe(false);
    expect(policy.isForbidden('64:ff9b::a00:1')).toBe(false);
    expect(policy.isForbidden('192.0.2.1')).toBe(true);
  });
});
