/** Concurrency of one companion's logged-in connections. */
export interface ConcurrencyCount {
  current: number;
  max: number;
}

/**
 * Numbers a gateway test asserts on. `maxConcurrentPerCompanion` is the proof that one session
 * never ran two simultaneous logged-in connections.
 */
export class Counters {
  connections = 0;
  handshakes = 0;
  registrations = 0;
  logins = 0;
  loginFailures = 0;
  pairings = 0;
  openConnections = 0;
  maxOpenConnections = 0;
  private readonly perCompanion = new Map<string, ConcurrencyCount>();

  connectionOpened(): void {
    this.connections++;
    this.openConnections++;
    this.maxOpenConnections = Math.max(this.maxOpenConnections, this.openConnections);
  }

  connectionClosed(): void {
    this.openConnections--;
  }

  companionLoggedIn(jid: string): void {
    const count = this.perCompanion.get(jid) ?? { current: 0, max: 0 };
    count.current++;
    count.max = Math.max(count.max, count.current);
    this.perCompanion.set(jid, count);
  }

  companionLoggedOut(jid: string): void {
    const count = this.perCompanion.get(jid);
    if (count) count.current--;
  }

  /** Concurrency of one companion (by device PN jid); zeros if it never logged in. */
  concurrency(jid: string): ConcurrencyCount {
    return { ...(this.perCompanion.get(jid) ?? { current: 0, max: 0 }) };
  }

  /** Highest number of simultaneous logged-in connections any single companion ever had. */
  get maxConcurrentPerCompanion(): number {
    let max = 0;
    for (const count of this.perCompanion.values()) max = Math.max(max, count.max);
    return max;
  }
}
