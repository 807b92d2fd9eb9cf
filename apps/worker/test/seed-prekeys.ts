import type { Database } from '@wagw/db';
import { initSigningAuthCreds, type WaSimulator } from '@wagw/wa-sim';
import { BufferJSON, Curve, INITIAL_PREKEY_COUNT, type KeyPair } from '@whiskeysockets/baileys';

/** One pool of one-time pre-keys per process: generating 812 key pairs costs ~0.3 s of CPU. */
let preKeyPool: KeyPair[] | undefined;

/**
 * Fresh credentials for a session with ready-made pre-keys (Gateway.createSession's `seedPreKeys`);
 * with `sim`, the session is also linked in the simulator, as a QR scan would have linked it.
 */
export async function seedPreKeys(db: Database, sessionId: string, sim?: WaSimulator): Promise<void> {
  preKeyPool ??= Array.from({ length: INITIAL_PREKEY_COUNT }, () => Curve.generateKeyPair());
  // Signing keys: Baileys signs with the identity here and when the simulator links it (see wa-sim).
  const creds = initSigningAuthCreds();
  const first = creds.nextPreKeyId;
  if (sim) {
    // Linked as a QR scan would link it (Baileys' own pairing code updates `creds`), with its pre-keys
    // already on the server: the first login opens without a QR, a 515 restart or a key upload.
    // As after a first login's history sync, so Baileys does not hold events for its 20 s sync wait.
    creds.accountSyncCounter = 1;
    creds.firstUnuploadedPreKeyId = first + preKeyPool.length;
    sim.provision(creds, {
      preKeys: preKeyPool.map((pair, i) => ({ id: first + i, publicKey: pair.public })),
    });
  }
  await db.repos.authState.setKeys(
    sessionId,
    preKeyPool.map((pair, i) => ({
      type: 'pre-key',
      id: String(first + i),
      value: JSON.stringify(pair, BufferJSON.replacer),
    })),
  );
  creds.nextPreKeyId = first + preKeyPool.length;
  await db.repos.authState.saveCreds(sessionId, JSON.stringify(creds, BufferJSON.replacer));
}
