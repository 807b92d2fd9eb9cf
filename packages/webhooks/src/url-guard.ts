import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup as dnsLookupAll } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { withTimeout } from '@wagw/resilience';
import { parseNetwork } from './network-list.js';

/**
 * SSRF guard. A webhook URL is chosen by an API user but requested by our worker, from inside our
 * network: without this guard anyone with an API key could make the worker POST to the cloud
 * metadata service (169.254.169.254), Redis on localhost or an intranet admin page. The URL is
 * checked when a webhook is saved (`checkWebhookUrl`) AND every connection is checked again when it
 * is made (`guardedLookup`), because a hostname that resolved to a public address at save time can
 * resolve to 127.0.0.1 a minute later (DNS rebinding).
 */

export interface NetworkPolicy {
  /** The CIDRs exempted from the guard, normalised to `address/prefix`. */
  readonly allowed: readonly string[];
  /** True when connecting to `address` (an IP literal) is refused. Anything but an IP is refused. */
  isForbidden(address: string): boolean;
}

/**
 * Ranges no webhook may reach unless the operator allows them (WEBHOOK_ALLOWED_NETWORKS), after the
 * IANA special-purpose registries. Ranges that only carry traffic to an embedded IPv4 address (NAT64,
 * 6to4, Teredo) are refused whole rather than judged by the IPv4 inside: no legitimate webhook needs
 * them, and decoding each format is where guards go wrong (64:ff9b::a9fe:a9fe is 169.254.169.254).
 */
const FORBIDDEN_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT: the provider's internal network
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, home of cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments (DS-Lite, NAT64 discovery, ...)
  ['192.0.2.0', 24], // TEST-NET-1, documentation only
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking: test labs, often routed inside data centres
  ['198.51.100.0', 24], // TEST-NET-2, documentation only
  ['203.0.113.0', 24], // TEST-NET-3, documentation only
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes the broadcast address 255.255.255.255
];
const FORBIDDEN_V6: ReadonlyArray<readonly [string, number]> = [
  // Only 2000::/3 is global unicast; no webhook lives anywhere else. These three cover the rest, and
  // with it every range below that lies outside 2000::/3 (listed anyway, so the table can be checked
  // against the registry).
  ['::', 3],
  ['4000::', 2],
  ['8000::', 1],
  ['::', 128], // unspecified: like 0.0.0.0 it ends up on the local host
  ['::1', 128], // loopback
  ['::', 96], // deprecated IPv4-compatible addresses: no public endpoint uses them
  ['::ffff:0:0:0', 96], // IPv4-translated (SIIT); IPv4-mapped ::ffff:0:0/96 is judged as its IPv4
  ['64:ff9b::', 96], // NAT64 well-known prefix: reaches any IPv4, private ones included
  ['64:ff9b:1::', 48], // NAT64 local-use prefix
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments: Teredo 2001::/32 (embeds an IPv4), benchmarking, ORCHID
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds an IPv4, private ones included
  ['3fff::', 20], // documentation (RFC 9637)
  ['fc00::', 7], // unique local (the IPv6 private range)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local, still routed inside some networks
  ['ff00::', 8], // multicast
];

function familyOf(address: string): 'ipv4' | 'ipv6' | null {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : null;
}

/** The 16 bytes of an IPv6 literal (zone id already removed), or null when it is not one. */
function ipv6Bytes(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address;
  // A trailing dotted IPv4 (::ffff:1.2.3.4) stands for the last two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.slice(1, 5).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const [head = '', rest] = text.split('::');
  const headGroups = parse(head);
  const restGroups = rest === undefined ? [] : parse(rest);
  const zeros = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...Array<number>(zeros).fill(0), ...restGroups];
  return groups.length === 8 ? groups.flatMap((g) => [g >> 8, g & 0xff]) : null;
}

/**
 * The address as it should be judged: brackets and zone id removed, and an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d, in any spelling) turned into its IPv4, since that is where the packets go.
 */
function normalizeAddress(raw: string): string {
  let address = raw.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  const bytes = ipv6Bytes(address);
  return (bytes && mappedIpv4(bytes)) ?? address;
}

/** The IPv4 inside ::ffff:0:0/96, or null for any other IPv6 address. */
function mappedIpv4(bytes: readonly number[]): string | null {
  const prefix = bytes.slice(0, 12);
  const isMapped = prefix.every((b, i) => (i < 10 ? b === 0 : b === 0xff));
  return isMapped ? bytes.slice(12).join('.') : null;
}

/**
 * Forbidden unless inside one of `allowedCidrs`: loopback, private, link-local, 0.0.0.0/8, CGNAT,
 * multicast, reserved, documentation, benchmarking, unspecified, IPv6 outside global unicast and the
 * IPv4-embedding IPv6 ranges (FORBIDDEN_V4, FORBIDDEN_V6). IPv4-mapped IPv6 is judged as its IPv4.
 */
export function createNetworkPolicy(allowedCidrs: readonly string[]): NetworkPolicy {
  // One list per family: a BlockList also matches IPv4 addresses against IPv6 rules through their
  // mapped form (::ffff:a.b.c.d), so ::/3 in a shared list would forbid every IPv4 address.
  const forbidden = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const [address, prefix] of FORBIDDEN_V4) forbidden.ipv4.addSubnet(address, prefix, 'ipv4');
  for (const [address, prefix] of FORBIDDEN_V6) forbidden.ipv6.addSubnet(address, prefix, 'ipv6');
  const allowList = new BlockList();
  const allowed = allowedCidrs.map((entry) => {
    const { address, prefix, family } = parseNetwork(entry);
    allowList.addSubnet(address, prefix, family);
    return `${address}/${prefix}`;
  });
  return {
    allowed: Object.freeze(allowed),
    isForbidden(raw: string): boolean {
      const address = normalizeAddress(raw);
      const family = familyOf(address);
      // Not an IP at all: nothing we could vouch for, so refused.
      if (!family) return true;
      if (allowed.length > 0 && allowList.check(address, family)) return false;
      return forbidden[family].check(address, family);
    },
  };
}

type UrlCheck =
  | { ok: true; url: URL }
  | {
      ok: false;
      reason:
        | 'invalid_url'
        | 'unsupported_protocol'
        | 'credentials_in_url'
        | 'forbidden_address'
        | 'unresolvable';
      message: string;
    };

const DEFAULT_LOOKUP_TIMEOUT_MS = 3000;

async function systemLookup(host: string): Promise<string[]> {
  const addresses = await dnsLookupAll(host, { all: true, verbatim: true });
  return addresses.map((a) => a.address);
}

/** `localhost` and `*.localhost` are loopback by definition (RFC 6761), whatever DNS says. */
function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Checks a webhook URL when it is saved, so the user hears at once why it will never be called:
 * http/https only, no credentials, and the host, resolved to ALL its addresses, has none that the
 * policy forbids (one forbidden address is enough for the connection to land there).
 */
export async function checkWebhookUrl(
  raw: string,
  policy: NetworkPolicy,
  opts: { lookup?: (host: string) => Promise<string[]>; timeoutMs?: number } = {},
): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'invalid_url', message: 'expected an absolute http or https URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      ok: false,
      reason: 'unsupported_protocol',
      message: `expected an http or https URL, got "${url.protocol}"`,
    };
  }
  // Credentials in a URL end up in logs and dead letters; use custom headers for authentication.
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      reason: 'credentials_in_url',
      message: 'the URL must not contain a user name or password; send credentials in a custom header',
    };
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '') return { ok: false, reason: 'invalid_url', message: 'the URL has no host' };

  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else if (isLocalhostName(host)) addresses = ['127.0.0.1', '::1'];
  else {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
    try {
      addresses = await withTimeout(() => (opts.lookup ?? systemLookup)(host), timeoutMs);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      return { ok: false, reason: 'unresolvable', message: `cannot resolve host "${host}": ${detail}` };
    }
    if (addresses.length === 0) {
      return { ok: false, reason: 'unresolvable', message: `host "${host}" has no address` };
    }
  }
  const refused = addresses.find((address) => policy.isForbidden(address));
  if (refused !== undefined) {
    return {
      ok: false,
      reason: 'forbidden_address',
      message:
        refused === host
          ? `address ${host} is in a private, loopback or reserved network`
          : `host "${host}" resolves to ${refused}, which is in a private, loopback or reserved network`,
    };
  }
  return { ok: true, url };
}

/** The `code` of the error `guardedLookup` fails with for a forbidden address. */
const FORBIDDEN_CODE = 'EWEBHOOKFORBIDDEN';

function forbiddenError(hostname: string, address: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(
    `refusing to connect to ${address} (${hostname}): private, loopback or reserved network`,
  );
  err.code = FORBIDDEN_CODE;
  return err;
}

/**
 * A `lookup` for http.request / net.connect that refuses forbidden addresses at connect time, on
 * the very addresses the socket will use, which defeats DNS rebinding. Node calls it with `all: true`
 * when it races IPv4 and IPv6 (autoSelectFamily), so both callback shapes are handled. Note that
 * Node skips `lookup` for IP-literal hosts: callers check those themselves (postWebhook does).
 */
export function guardedLookup(policy: NetworkPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) {
        callback(err, options.all ? [] : '', undefined);
        return;
      }
      const refused = addresses.find((a) => policy.isForbidden(a.address));
      if (refused) {
        callback(forbiddenError(hostname, refused.address), options.all ? [] : '', undefined);
        return;
      }
      if (options.all) {
        callback(null, addresses);
        return;
      }
      const first = addresses[0];
      if (!first) {
        const none: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        none.code = 'ENOTFOUND';
        callback(none, '', undefined);
        return;
      }
      callback(null, first.address, first.family);
    });
  };
}

/**
 * The whole guard for another client that fetches URLs users chose (the worker's `media.url`
 * fetches): the policy for IP-literal hosts, which Node never passes to `lookup`, the connect-time
 * `lookup`, and how to recognise that lookup's refusal among connection errors.
 */
export function addressGuard(policy: NetworkPolicy) {
  return {
    isForbidden: (address: string) => policy.isForbidden(address),
    lookup: guardedLookup(policy),
    refused: (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === FORBIDDEN_CODE,
  };
}
