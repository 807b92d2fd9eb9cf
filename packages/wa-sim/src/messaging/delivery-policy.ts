/** What to do with one server ack or peer receipt. */
export type DeliveryDecision = { action: 'send'; delayMs: number; error?: string } | { action: 'drop' };

type Planned = { kind: 'fail'; code: string } | { kind: 'drop' };

/**
 * Test-controlled fate of the server's message acks or of peer receipts. Planned errors and drops are
 * consumed in the order they were armed, one per ack/receipt, so `failAcks(3, 463)` affects exactly the
 * next three; everything else is sent after {@link delayMs}.
 */
export class DeliveryPolicy {
  /** Added before every ack/receipt is written. Default 0. */
  delayMs = 0;
  private readonly plan: Planned[] = [];
  private dropAll = false;

  /** The next `count` get `error=code` (acks only: receipts have no error form and are sent as is). */
  fail(count: number, code: string | number): void {
    for (let i = 0; i < count; i++) this.plan.push({ kind: 'fail', code: String(code) });
  }

  /** The next `count` are never sent; `Infinity` (default) drops everything until {@link reset}. */
  drop(count = Number.POSITIVE_INFINITY): void {
    if (count === Number.POSITIVE_INFINITY) this.dropAll = true;
    else for (let i = 0; i < count; i++) this.plan.push({ kind: 'drop' });
  }

  reset(): void {
    this.plan.length = 0;
    this.dropAll = false;
    this.delayMs = 0;
  }

  next(): DeliveryDecision {
    const planned = this.plan.shift();
    if (planned?.kind === 'drop' || (!planned && this.dropAll)) return { action: 'drop' };
    if (planned?.kind === 'fail') return { action: 'send', delayMs: this.delayMs, error: planned.code };
    return { action: 'send', delayMs: this.delayMs };
  }
}
