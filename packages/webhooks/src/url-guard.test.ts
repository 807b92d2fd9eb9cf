import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { parseNetworkList } from './network-list.js';
import { addressGuard, checkWebhookUrl, createNetworkPolicy, guardedLookup } from './url-guard.js';

// No test here touches the network: IP literals need no DNS, and hostnames go through an injected
// lookup (or `localhost`, which never leaves the machine).
const strict = createNetworkPolicy([]);
const noDns = async (host: string): Promise<string[]> => {
  throw new Error(`unexpected DNS lookup of ${host}`);
};

describe('createNetworkPolicy', () => {
  it.each([
    '10.0.0.1',
    '172.20.1.1',
    '192.168.1.1',
    '169.254.169.254',
    '127.0.0.1',
    '127.1.2.3',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '240.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:a00:1',
    '[::1]',
    'not-an-ip',
  ])('forbids %s', (address) => {
    expect(strict.isForbidden(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:2800:220:1::', '::ffff:93.184.216.34'])(
    'allows the public address %s',
    (address) => {
      expect(strict.isForbidden(address)).toBe(false);
    },
  );

  it('exempts the allowed networks, IPv4-mapped addresses included', () => {
    const policy = createNetworkPolicy(['127.0.0.0/8', '10.1.0.0/16', '::1']);
    expect(policy.allowed).toEqual(['127.0.0.0/8', '10.1.0.0/16', '::1/128']);
    expect(policy.isForbidden('127.0.0.1')).toBe(false);
    expect(policy.isForbidden('::ffff:127.0.0.1')).toBe(false);
    expect(policy.isForbidden('::1')).toBe(false);
    expect(policy.isForbidden('10.1.2.3')).toBe(false);
    expect(policy.isForbidden('10.2.0.1')).toBe(true);
    expect(policy.isForbidden('169.254.169.254')).toBe(true);
  });

  it('refuses a bad allowed entry', () => {
    expect(() => createNetworkPolicy(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
  });
});

describe('checkWebhookUrl', () => {
  it.each([
    'http://10.0.0.1/hook',
    'http://172.20.1.1/hook',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://127.0.0.1:6379/',
    'http://[::1]/',
    'http://[fe80::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://0.0.0.0/',
    'http://localhost:3000/',
    'http://api.localhost/',
    'http://2130706433/', // 127.0.0.1 spelled as one number
    'http://0x7f.1/', // and in hex
  ])('refuses %s as forbidden_address without DNS', async (url) => {
    const check = await checkWebhookUrl(url, strict, { lookup: noDns });
    expect(check).toMatchObject({ ok: false, reason: 'forbidden_address' });
  });

  it('accepts a public IP literal without any DNS', async () => {
    const check = await checkWebhookUrl('https://93.184.216.34/hook?x=1', strict, { lookup: noDns });
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.url.href).toBe('https://93.184.216.34/hook?x=1');
  });

  it('accepts a hostname whose addresses are all public', async () => {
    const lookup = async () => ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'];
    expect((await checkWebhookUrl('https://example.com/hook', strict, { lookup })).ok).toBe(true);
  });

  it('refuses a hostname with any forbidden address, naming it', async () => {
    const lookup = async () => ['93.184.216.34', '10.0.0.7'];
    const check = await checkWebhookUrl('https://mixed.example/hook', strict, { lookup });
    expect(check).toMatchObject({ ok: false, reason: 'forbidden_address' });
    if (!check.ok) expect(check.message).toContain('10.0.0.7');
  });

  it('reports a failed or empty lookup as unresolvable', async () => {
    const failing = async () => {
      throw new Error('getaddrinfo ENOTFOUND nowhere.invalid');
    };
    expect(await checkWebhookUrl('https://nowhere.invalid/', strict, { lookup: failing })).toMatchObject({
      ok: false,
      reason: 'unresolvable',
    });
    expect(await checkWebhookUrl('https://empty.example/', strict, { lookup: async () => [] })).toMatchObject(
      { ok: false, reason: 'unresolvable' },
    );
  });

  it('gives up on a lookup that hangs after timeoutMs', async () => {
    const started = Date.now();
    const hanging = () => new Promise<string[]>(() => {});
    const check = await checkWebhookUrl('https://slow.example/', strict, { lookup: hanging, timeoutMs: 50 });
    expect(check).toMatchObject({ ok: false, reason: 'unresolvable' });
    if (!check.ok) expect(check.message).toMatch(/timed out after 50 ms/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each([
    ['ftp://example.com/file', 'unsupported_protocol'],
    ['file:///etc/passwd', 'unsupported_protocol'],
    ['http://u:p@example.com/', 'credentials_in_url'],
    ['http://u@example.com/', 'credentials_in_url'],
    ['not a url', 'invalid_url'],
    ['/relative/path', 'invalid_url'],
  ])('refuses %s as %s', async (url, reason) => {
    expect(await checkWebhookUrl(url, strict, { lookup: noDns })).toMatchObject({ ok: false, reason });
  });

  it('lets an allowed CIDR through', async () => {
    const policy = createNetworkPolicy(parseNetworkList('127.0.0.0/8'));
    expect((await checkWebhookUrl('http://127.0.0.1:8080/hook', policy, { lookup: noDns })).ok).toBe(true);
    const viaDns = await checkWebhookUrl('http://receiver.internal/hook', policy, {
      lookup: async () => ['127.0.0.2'],
    });
    expect(viaDns.ok).toBe(true);
  });
});

describe('guardedLookup', () => {
  function run(
    lookup: ReturnType<typeof guardedLookup>,
    host: string,
    all: boolean,
  ): Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[] }> {
    return new Promise((resolve) => lookup(host, { all }, (err, address) => resolve({ err, address })));
  }

  it('refuses a name resolving to loopback, in both callback shapes', async () => {
    const lookup = guardedLookup(strict);
    for (const all of [false, true]) {
      const { err } = await run(lookup, 'localhost', all);
      expect(err?.code).toBe('EWEBHOOKFORBIDDEN');
      expect(err?.message).toMatch(/refusing to connect to/);
    }
  });

  it('passes allowed addresses through', async () => {
    const lookup = guardedLookup(createNetworkPolicy(['127.0.0.0/8', '::1/128']));
    const single = await run(lookup, 'localhost', false);
    expect(single.err).toBeNull();
    expect(['127.0.0.1', '::1']).toContain(single.address);
    const many = await run(lookup, 'localhost', true);
    expect(many.err).toBeNull();
    expect(Array.isArray(many.address) && many.address.length > 0).toBe(true);
  });
});

describe('addressGuard', () => {
  it('judges IP literals by the policy and recognises its own lookup refusal only', async () => {
    const guard = addressGuard(createNetworkPolicy(['10.1.0.0/16']));
    expect(guard.isForbidden('127.0.0.1')).toBe(true);
    expect(guard.isForbidden('10.1.2.3')).toBe(false);
    expect(guard.isForbidden('93.184.216.34')).toBe(false);
    const refusal = await new Promise<unknown>((resolve) =>
      guard.lookup('localhost', { all: false }, (err) => resolve(err)),
    );
    expect(guard.refused(refusal)).toBe(true);
    const other: NodeJS.ErrnoException = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
    });
    expect(guard.refused(other)).toBe(false);
    expect(guard.refused(undefined)).toBe(false);
  });
});
