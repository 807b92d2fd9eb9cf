/**
 * The holder's local view of its lease, on the monotonic clock. The lease is trusted only until
 * `ttl - margin` after the moment the last successful renewal was *sent*: if the process is paused
 * (SIGSTOP, a long GC, a VM freeze) the deadline passes while it sleeps, and on waking it knows the
 * lease may belong to someone else before any Redis round trip, so it sends nothing on the socket.
 */
export class LeaseClock {
  private validUntil: number;

  constructor(
    private readonly ttlMs: number,
    private readonly marginMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.validUntil = 0;
  }

  /** Call with the time the acquire/renew request was sent, once it succeeded. */
  confirmed(sentAt: number): void {
    this.validUntil = sentAt + this.ttlMs - this.marginMs;
  }

  isValid(): boolean {
    return this.now() < this.validUntil;
  }

  invalidate(): void {
    this.validUntil = 0;
  }

  remainingMs(): number {
    return Math.max(0, this.validUntil - this.now());
  }
}
