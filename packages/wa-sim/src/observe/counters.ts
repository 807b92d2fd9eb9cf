/** Concurrency of one companion's logged-in connections. */
export interface ConcurrencyCount {
  current: number;
  max: number;
}

/** What the media CDN did (see `media/`). */
export interface MediaCounters {
  /** Blobs stored: accepted uploads plus blobs simulated peers sent. */
  uploads: number;
  /** Downloads answered with the blob or part of it (200 or 206). */
  downloads: number;
  /** Total size of the stored blobs, in bytes. */
  bytesStored: number;
  /** Uploads answered with a 4xx (bad or expired auth, hash mismatch, too large, bad path). */
  rejectedUploads: number;
  /** Media retry requests clients sent (`<receipt type="server-error">`, a file gone from the CDN). */
  retryRequests: number;
  /** Files a sender's phone uploaded again to answer one. */
  reuploads: number;
  /** Download bodies being sent right now, and the most at once (how hard clients hit the CDN). */
  activeDownloads: number;
  maxActiveDownloads: number;
}

/** usync traffic (`onWhatsApp` and device lookups), for tests that prove lookups are cached or paced. */
export interface UsyncCounters {
  /** Every usync IQ answered. */
  queries: number;
  /** usync IQs asking the `contact` protocol: `onWhatsApp` and contact checks. */
  contactQueries: number;
  /** Phone numbers those contact queries asked about, in total. */
  contactNumbers: number;
}

/**
 * Numbers a gateway test asserts on. `maxConcurrentPerCompanion` is the proof that one session
 * never ran two simultaneous logged-in connections; `replacedConflicts` that the server never had
 * to kick one; `maxConnecting` how hard a reconnect wave hit the server at once.
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
  /** Highest `connectingNow` since the start or the last `resetMax()`. */
  maxConnecting = 0;
  /** Connections the server terminated because no frame arrived for `idleTimeoutMs`. */
  idleDrops = 0;
  /** `<conflict type="replaced"/>` (440) sent because the same companion logged in again. */
  replacedConflicts = 0;
  /** `companion_hello` stages received: a client asked for a pairing code. */
  pairingCodeRequests = 0;
  /** Pairings completed by a typed code rather than a QR scan (also counted in `pairings`). */
  codePairings = 0;
  /** Codes the phone typed that did not open the companion's key bundle ("Couldn't link device"). */
  pairingCodeFailures = 0;
  /** History sync notifications sent to companions after their first login (see `history/`). */
  historySyncs = 0;
  /**
   * Messages a companion never acknowledged before its last connection closed, queued to be
   * delivered again at its next login (see `messaging/offline-queue.ts`).
   */
  redeliveries = 0;
  /** Messages a peer encrypted again because the client could not decrypt them (`<receipt type="retry">`). */
  retriesAnswered = 0;
  readonly usync: UsyncCounters = { queries: 0, contactQueries: 0, contactNumbers: 0 };
  readonly media: MediaCounters = {
    uploads: 0,
    downloads: 0,
    bytesStored: 0,
    rejectedUploads: 0,
    retryRequests: 0,
    reuploads: 0,
    activeDownloads: 0,
    maxActiveDownloads: 0,
  };
  private readonly perCompanion = new Map<string, ConcurrencyCount>();
  /** Ids of connections accepted but neither `open` (login IQs answered) nor closed yet. */
  private readonly connecting = new Set<number>();

  /**
   * Connections in the "connecting" phase: WebSocket accepted, not yet `open` and not closed.
   * A registration (QR showing) stays here until it closes.
   */
  get connectingNow(): number {
    return this.connecting.size;
  }

  connectionOpened(id: number): void {
    this.connections++;
    this.openConnections++;
    this.maxOpenConnections = Math.max(this.maxOpenConnections, this.openConnections);
    this.connecting.add(id);
    this.maxConnecting = Math.max(this.maxConnecting, this.connecting.size);
  }

  /** The connection reached `open`; idempotent. */
  connectionEstablished(id: number): void {
    this.connecting.delete(id);
  }

  connectionClosed(id: number): void {
    this.openConnections--;
    this.connecting.delete(id);
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

  /**
   * Starts a new measuring window: every maximum (`maxConnecting`, `maxOpenConnections`, each
   * companion's `max`) drops to its current value. Totals are left alone.
   */
  resetMax(): void {
    this.maxConnecting = this.connecting.size;
    this.maxOpenConnections = this.openConnections;
    for (const count of this.perCompanion.values()) count.max = count.current;
  }
}
