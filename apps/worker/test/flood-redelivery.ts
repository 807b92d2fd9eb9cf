import type { Gateway } from './harness.js';

/** A text a simulated peer sent to the session during a flood, as it can send it again. */
export interface SentText {
  from: { sendText(to: string, text: string, options?: { id?: string }): Promise<unknown> };
  id: string;
  text: string;
}

/**
 * Waits until `stored()` reaches `n`. The simulator delivers again, at the next login, every
 * message the device never acknowledged before its connection closed, as WhatsApp does. One case is
 * left: a `pkmsg` the device decrypted (and stored the used prekey of) but whose receipt never left
 * before the socket dropped. Baileys rc14 refuses that copy (nack 487) and WhatsApp does not send it
 * again: the sender's phone would, once the chat shows it missing. When the socket dropped by
 * itself during the flood (a loaded machine: seen in CI, 558 of 600 stored with 2 logins in
 * inbound.e2e), the peers therefore send again, same id, new ciphertext, exactly the messages the
 * client never receipted. A message it receipted but did not store is not sent again: losing that
 * is the gateway's fault, and the wait then still fails.
 */
export async function waitStoredResendingUnreceipted(
  gw: Gateway,
  flood: {
    n: number;
    stored: () => Promise<number>;
    /** The session's phone number, where the peers send. */
    phone: string;
    sent: readonly SentText[];
    /** `gw.sim.counters.logins` before the flood: more means the socket dropped meanwhile. */
    loginsBefore: number;
    firstWaitMs: number;
    laterWaitMs: number;
  },
): Promise<void> {
  let count = 0;
  const wait = (timeoutMs: number) =>
    gw.waitFor(
      `${flood.n} inbound messages stored`,
      async () => {
        count = await flood.stored();
        return count >= flood.n ? true : undefined;
      },
      timeoutMs,
      () =>
        `${count} stored, ${flood.sent.length} sent by the simulator, ` +
        `${gw.sim.counters.openConnections} open connection(s), ${gw.sim.counters.logins} logins`,
    );
  try {
    await wait(flood.firstWaitMs);
  } catch (err) {
    if (gw.sim.counters.logins <= flood.loginsBefore) throw err;
    const receipted = new Set(gw.sim.messaging.clientReceipts().flatMap((r) => r.ids));
    const missing = flood.sent.filter((m) => !receipted.has(m.id));
    console.info(
      `the socket dropped during the flood (${gw.sim.counters.logins - flood.loginsBefore} extra logins): ` +
        `${missing.length} messages never receipted are sent again`,
    );
    for (const { from, id, text } of missing) await from.sendText(flood.phone, text, { id });
    await wait(flood.laterWaitMs);
  }
}
