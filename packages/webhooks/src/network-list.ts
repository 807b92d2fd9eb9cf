import { isIP } from 'node:net';

/**
 * The syntax of a network list such as WEBHOOK_ALLOWED_NETWORKS ("10.0.0.0/8, ::1"): pure parsing,
 * shared by @wagw/config (which checks the variable at start) and the SSRF guard in url-guard.ts
 * (which builds its allow list from the result), so both accept exactly the same entries.
 */

interface Network {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** An entry that is neither an IP address nor a CIDR; `reason` says which part is wrong. */
export class InvalidNetworkError extends Error {
  override readonly name = 'InvalidNetworkError';

  constructor(
    readonly entry: string,
    readonly reason: string,
  ) {
    super(
      `invalid network "${entry}": expected an IP address or a CIDR such as 10.0.0.0/8 or fd00::/8 (${reason})`,
    );
  }
}

/** `address/prefix` from one entry; a bare address means a single host (/32 or /128). */
export function parseNetwork(entry: string): Network {
  const text = entry.trim();
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0) throw new InvalidNetworkError(entry, 'not an IP address');
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : text.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) {
    throw new InvalidNetworkError(entry, `the prefix length must be an integer from 0 to ${max}`);
  }
  return { address, prefix, family };
}

/**
 * Parses a comma list ("127.0.0.0/8, ::1", empty entries ignored) into `address/prefix` strings.
 * Throws an `InvalidNetworkError` naming the first bad entry.
 */
export function parseNetworkList(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const { address, prefix } = parseNetwork(entry);
      return `${address}/${prefix}`;
    });
}
