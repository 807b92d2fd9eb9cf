import type { SimConnection } from '../server/connection.js';
import type { FaultTarget } from './fault-types.js';

/** The companion jid a connection logged in as, or claims to in its login payload. */
export function claimedJid(conn: SimConnection): string | undefined {
  if (conn.companion) return conn.companion.jid;
  const payload = conn.clientPayload;
  if (conn.kind !== 'login' || payload?.username == null) return undefined;
  return `${String(payload.username)}:${payload.device ?? 0}@s.whatsapp.net`;
}

export function matchesTarget(conn: SimConnection, target: FaultTarget | undefined): boolean {
  if (!target) return true;
  if (target.connectionId !== undefined && target.connectionId !== conn.id) return false;
  const jid = claimedJid(conn);
  if (target.companionJid !== undefined && target.companionJid !== jid) return false;
  if (target.phone !== undefined && jid?.split(':')[0] !== target.phone) return false;
  return true;
}

/** One armed rule with a countdown. */
export interface Rule<T> {
  spec: T;
  target: FaultTarget | undefined;
  remaining: number;
}

/** Finds the first live rule that matches, spends one use of it and returns its spec. */
export function takeRule<T>(
  rules: Rule<T>[],
  conn: SimConnection,
  accept: (spec: T) => boolean = () => true,
): T | undefined {
  const index = rules.findIndex((rule) => matchesTarget(conn, rule.target) && accept(rule.spec));
  const rule = rules[index];
  if (!rule) return undefined;
  if (--rule.remaining <= 0) rules.splice(index, 1);
  return rule.spec;
}

export function addRule<T>(rules: Rule<T>[], spec: T, target?: FaultTarget, times = 1): () => void {
  const rule: Rule<T> = { spec, target, remaining: times };
  rules.push(rule);
  return () => {
    const index = rules.indexOf(rule);
    if (index >= 0) rules.splice(index, 1);
  };
}
