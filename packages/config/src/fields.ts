import { isIPv4, isIPv6 } from 'node:net';
import { InvalidNetworkError, isValidWebhookSecret, parseNetworkList } from '@wagw/webhooks';
import { z } from 'zod';
import { parseRedisUrl } from './redis-url.js';

/**
 * Field builders for environment variables. Env values are strings; these coerce them and
 * produce messages a person can act on ("expected an integer from 1 to 65535").
 */

export function int(defaultValue: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  return z
    .string()
    .trim()
    .default(String(defaultValue))
    .transform((raw, ctx) => {
      const value = Number(raw);
      if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}, got "${raw}"` });
        return z.NEVER;
      }
      return value;
    });
}

export function bool(defaultValue: boolean) {
  return z
    .string()
    .trim()
    .toLowerCase()
    .default(String(defaultValue))
    .transform((raw, ctx) => {
      if (['true', '1', 'yes', 'on'].includes(raw)) return true;
      if (['false', '0', 'no', 'off'].includes(raw)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false, got "${raw}"` });
      return z.NEVER;
    });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, defaultValue: T[number]) {
  return z
    .string()
    .trim()
    .default(defaultValue)
    .transform((raw, ctx) => {
      if ((values as readonly string[]).includes(raw)) return raw as T[number];
      ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}, got "${raw}"` });
      return z.NEVER;
    });
}

/** A URL whose scheme must be one of `schemes` (e.g. redis:, rediss:). */
export function url(defaultValue: string, schemes: readonly string[]) {
  return z
    .string()
    .trim()
    .default(defaultValue)
    .transform((raw, ctx) => {
      let parsed: URL;
      try {
        parsed = new URL(raw);
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected a URL, got "${redactUrl(raw)}"` });
        return z.NEVER;
      }
      if (!schemes.includes(parsed.protocol)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a ${schemes.join(' or ')} URL, got "${parsed.protocol}"`,
        });
        return z.NEVER;
      }
      return raw;
    });
}

/** REDIS_URL: `redis://`, `rediss://` or `redis+sentinel://…` (see redis-url.ts). */
export function redisUrlField(defaultValue: string) {
  return z
    .string()
    .trim()
    .default(defaultValue)
    .transform((raw, ctx) => {
      try {
        parseRedisUrl(raw);
        return raw;
      } catch (err) {
        const reason =
          err instanceof TypeError ? `expected a URL, got "${redactUrl(raw)}"` : (err as Error).message;
        ctx.addIssue({ code: 'custom', message: reason });
        return z.NEVER;
      }
    });
}

/** A non-empty secret. Never echoes the value in errors. */
export function secret(minLength: number) {
  return z
    .string({ error: () => 'is required' })
    .trim()
    .transform((raw, ctx) => {
      if (raw.length < minLength) {
        ctx.addIssue({ code: 'custom', message: `must be at least ${minLength} characters` });
        return z.NEVER;
      }
      return raw;
    });
}

/**
 * An optional variable: unset, or empty after trimming, means "not configured" (undefined); a value
 * that is set goes through `parse`, which returns what the config holds or adds an issue.
 */
function optionalValue<T>(parse: (raw: string, ctx: z.RefinementCtx) => T) {
  return z
    .string()
    .trim()
    .optional()
    .transform((raw, ctx) => (raw === undefined || raw === '' ? undefined : parse(raw, ctx)));
}

export function optionalString() {
  return optionalValue((raw) => raw);
}

/** Hides credentials in a URL before it goes into an error message. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^@/]*)@/, '//***@');
}

/** A listen address: a hostname or an IP literal, no scheme or port. */
export function host(defaultValue: string) {
  return z
    .string()
    .trim()
    .default(defaultValue)
    .refine((v) => /^[A-Za-z0-9.:-]+$/.test(v) && !v.includes('//'), 'expected a hostname or IP address');
}

/** A decimal number in [min, max], e.g. a ratio such as 0.98. */
export function decimal(defaultValue: number, { min = 0, max = Number.MAX_VALUE } = {}) {
  return z
    .string()
    .trim()
    .default(String(defaultValue))
    .transform((raw, ctx) => {
      const value = Number(raw);
      if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(raw) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `expected a number from ${min} to ${max}, got "${raw}"` });
        return z.NEVER;
      }
      return value;
    });
}

/** An optional secret: unset or empty means "not configured"; when set it must be long enough. */
export function optionalSecret(minLength: number) {
  return optionalValue((raw, ctx) => {
    if (raw.length < minLength) {
      ctx.addIssue({ code: 'custom', message: `must be at least ${minLength} characters when set` });
      return z.NEVER;
    }
    return raw;
  });
}

/**
 * A comma list of networks, each an IP address (a single host) or a CIDR, normalised to
 * `address/prefix` by @wagw/webhooks' `parseNetworkList`, the same parser the SSRF guard uses.
 */
export function networkList() {
  return z
    .string()
    .trim()
    .default('')
    .transform((raw, ctx) => {
      try {
        return parseNetworkList(raw);
      } catch (err) {
        if (!(err instanceof InvalidNetworkError)) throw err;
        ctx.addIssue({
          code: 'custom',
          message: `expected IP addresses or CIDRs such as 10.0.0.0/8 or fd00::/8, got "${err.entry}" (${err.reason})`,
        });
        return z.NEVER;
      }
    });
}

/** An optional http(s) URL; credentials in it are refused because URLs end up in logs. */
export function optionalHttpUrl() {
  return optionalValue((raw, ctx) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected an http or https URL, got "${redactUrl(raw)}"` });
      return z.NEVER;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `expected an http or https URL, got "${parsed.protocol}"` });
      return z.NEVER;
    }
    if (parsed.username !== '' || parsed.password !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password' });
      return z.NEVER;
    }
    return raw;
  });
}

/**
 * A comma list of webhook event filters: `*`, `<group>.*` or `<group>.<name>`. Only the shape is
 * checked here; whether a name exists is @wagw/webhooks' `isValidEventFilter`, applied by the worker.
 */
export function eventFilterList(defaultValue: string) {
  return z
    .string()
    .trim()
    .default(defaultValue)
    .transform((raw, ctx) => {
      const filters = raw
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      const bad = filters.find((filter) => !/^(\*|[a-z][a-z_]*\.(\*|[a-z][a-z_]*))$/.test(filter));
      if (filters.length === 0 || bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a comma list of events such as * or message.* or session.status, got "${bad ?? raw}"`,
        });
        return z.NEVER;
      }
      return filters;
    });
}

/**
 * An optional webhook signing secret, checked by @wagw/webhooks' `isValidWebhookSecret` (the rule
 * the API applies to per-webhook secrets): `whsec_<base64 of 24..64 bytes>` or 16..256 printable
 * ASCII characters. Never echoed.
 */
export function optionalWebhookSecret() {
  return optionalValue((raw, ctx) => {
    if (!isValidWebhookSecret(raw)) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected whsec_ + base64 of 24-64 bytes, or 16-256 printable ASCII characters',
      });
      return z.NEVER;
    }
    return raw;
  });
}

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * An optional `host:port`: a host name, an IPv4 address or a bracketed IPv6 address (`[::1]:443`,
 * the brackets keep its colons apart from the port's), and a port from 1 to 65535. Parsed to
 * `{ host, port }` with the brackets removed, as `tls.connect` takes it.
 */
export function hostPort() {
  return optionalValue((raw, ctx) => {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw);
    const [, ipv6, name = '', digits] = match ?? [];
    const port = Number(digits);
    // All-numeric dotted names are IPv4 addresses or nothing (999.1.1.1 is not a host name).
    const validHost =
      ipv6 !== undefined ? isIPv6(ipv6) : isIPv4(name) || (HOST_NAME.test(name) && !/^[\d.]+$/.test(name));
    if (!match || !validHost || port < 1 || port > 65_535) {
      ctx.addIssue({
        code: 'custom',
        message: `expected host:port (a host name, IPv4 address or [IPv6 address], port 1 to 65535), got "${raw}"`,
      });
      return z.NEVER;
    }
    return { host: ipv6 ?? name, port };
  });
}
