import { AppError } from '@wagw/errors';
import {
  checkWebhookUrl,
  isReservedHeaderName,
  isValidEventFilter,
  isValidWebhookSecret,
  type NetworkPolicy,
} from '@wagw/webhooks';
import { MASKED_HEADER_VALUE, MAX_HEADER_VALUE_LENGTH, MAX_HEADERS } from './webhooks.schemas.js';

/** An RFC 7230 `token`: what a header field name may consist of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Printable ASCII, space and tab: no CR/LF (header injection), no control or non-ASCII characters. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

export interface UrlCheckOptions {
  policy: NetworkPolicy;
  /** DNS resolution of the URL's host; default: the system resolver. */
  lookup?: (host: string) => Promise<string[]>;
}

/**
 * The SSRF guard at save time: a URL the worker would refuse to call (or could not call) is a 400
 * now rather than a dead letter later. Forbidden networks get their own code so clients can tell
 * "fix the URL" from "ask the operator to allow the network".
 */
export async function assertWebhookUrl(raw: string, options: UrlCheckOptions): Promise<void> {
  const result = await checkWebhookUrl(raw, options.policy, { lookup: options.lookup });
  if (result.ok) return;
  if (result.reason === 'forbidden_address') {
    throw new AppError(
      'WEBHOOK_URL_FORBIDDEN',
      `${result.message}: webhooks may not reach private, loopback or link-local address ranges ` +
        'unless the operator allows the range in WEBHOOK_ALLOWED_NETWORKS',
      { details: { reason: result.reason } },
    );
  }
  throw new AppError('VALIDATION_FAILED', `invalid webhook url: ${result.message}`, {
    details: { field: 'url', reason: result.reason },
  });
}

export function assertEventFilters(events: readonly string[]): void {
  const bad = events.find((filter) => !isValidEventFilter(filter));
  if (bad !== undefined) {
    throw new AppError(
      'VALIDATION_FAILED',
      `unknown event filter ${JSON.stringify(bad)}: expected an event name (e.g. message.received), ` +
        'a prefix wildcard (e.g. message.*) or *',
      { details: { field: 'events', value: bad } },
    );
  }
}

function invalidHeader(name: string, why: string): AppError {
  return new AppError('VALIDATION_FAILED', `header ${JSON.stringify(name)}: ${why}`, {
    details: { field: 'headers', header: name },
  });
}

/**
 * Checks custom headers and resolves masked values: in a PATCH, a value of "***" (what responses
 * show) keeps the value stored for that header, so a view sent back as it was loses no credential.
 */
export function resolveHeaders(
  headers: Readonly<Record<string, string>>,
  stored: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) {
    throw new AppError('VALIDATION_FAILED', `at most ${MAX_HEADERS} custom headers are allowed`, {
      details: { field: 'headers', count: entries.length },
    });
  }
  const seen = new Set<string>();
  // Entries, then fromEntries: every name becomes an own property, whatever it is called.
  const out: Array<[string, string]> = [];
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) throw invalidHeader(name, 'not a valid header name (RFC 7230 token)');
    if (isReservedHeaderName(name)) {
      throw invalidHeader(name, 'reserved: set by the gateway itself (content type, signature, host, …)');
    }
    const lower = name.toLowerCase();
    if (seen.has(lower)) throw invalidHeader(name, 'given twice (header names are case-insensitive)');
    seen.add(lower);
    if (value === MASKED_HEADER_VALUE) {
      const kept = Object.entries(stored).find(([n]) => n.toLowerCase() === lower)?.[1];
      if (kept === undefined) throw invalidHeader(name, '"***" keeps a stored value, and there is none');
      out.push([name, kept]);
      continue;
    }
    if (value.length > MAX_HEADER_VALUE_LENGTH) {
      throw invalidHeader(name, `value longer than ${MAX_HEADER_VALUE_LENGTH} characters`);
    }
    if (!HEADER_VALUE.test(value)) {
      throw invalidHeader(name, 'value must be printable ASCII without CR, LF or other control characters');
    }
    out.push([name, value]);
  }
  return Object.fromEntries(out);
}

export function assertSecret(secret: string): void {
  if (!isValidWebhookSecret(secret)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'invalid secret: expected whsec_ followed by the base64 of 24 to 64 random bytes, or 16 to 256 ' +
        'printable ASCII characters; omit it to have one generated',
      { details: { field: 'secret' } },
    );
  }
}
