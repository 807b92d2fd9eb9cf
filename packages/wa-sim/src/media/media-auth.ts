import { randomBytes } from 'node:crypto';

/** Outcome of checking an upload's `auth` query parameter. */
export type AuthCheck = 'valid' | 'unknown' | 'expired';

interface Issued {
  connectionId: number;
  expiresAt: number;
}

/**
 * Upload auth tokens handed out by `media_conn`: random, one per connection at a time (a connection
 * asking again before expiry gets the same token back), valid for `authTtlSeconds`. Expired tokens
 * are remembered so an upload with one is told "expired" rather than "unknown".
 */
export class MediaAuthTokens {
  private readonly tokens = new Map<string, Issued>();
  private readonly current = new Map<number, string>();

  constructor(
    /** Lifetime of a token in seconds. */
    readonly authTtlSeconds: number,
  ) {}

  /** The connection's token, issuing a new one when it has none or it expired. */
  tokenFor(connectionId: number): string {
    const existing = this.current.get(connectionId);
    if (existing && this.check(existing) === 'valid') return existing;
    const token = randomBytes(30).toString('base64');
    this.tokens.set(token, { connectionId, expiresAt: Date.now() + this.authTtlSeconds * 1000 });
    this.current.set(connectionId, token);
    return token;
  }

  check(token: string | null | undefined): AuthCheck {
    const issued = token ? this.tokens.get(token) : undefined;
    if (!issued) return 'unknown';
    return Date.now() < issued.expiresAt ? 'valid' : 'expired';
  }
}
