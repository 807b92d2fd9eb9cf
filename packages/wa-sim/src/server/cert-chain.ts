import { Curve, type KeyPair, proto } from '@whiskeysockets/baileys';
import { generateSigningKeyPair, signWith } from '../signal/signing-key.js';

/** Serial Baileys expects as the intermediate's `issuerSerial` (`WA_CERT_DETAILS.SERIAL`). */
const ROOT_SERIAL = 0;
const TEN_YEARS_S = 10 * 365 * 24 * 3600;

export interface ServerIdentity {
  /** Root the client must trust (`WA_CERT_DETAILS.PUBLIC_KEY`); the simulator's own, never WhatsApp's. */
  rootKey: KeyPair;
  /** Long-term Noise static key; the leaf certificate certifies it. */
  staticKey: KeyPair;
  /** Encoded `CertChain` sent as the serverHello payload. */
  certChain: Uint8Array;
}

function certificate(details: proto.CertChain.NoiseCertificate.IDetails, signer: KeyPair) {
  const encoded = proto.CertChain.NoiseCertificate.Details.encode(details).finish();
  return { details: encoded, signature: signWith(signer, encoded) };
}

/**
 * Mints root → intermediate → leaf, each signed with XEdDSA like the real chain. rc14 does not
 * actually enforce the signatures (its Curve.verify never fails), but a future Baileys will.
 */
export function createServerIdentity(rootKey: KeyPair = generateSigningKeyPair()): ServerIdentity {
  const intermediateKey = generateSigningKeyPair();
  const staticKey = Curve.generateKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const validity = { notBefore: now - 3600, notAfter: now + TEN_YEARS_S };
  const intermediate = certificate(
    { serial: 1, issuerSerial: ROOT_SERIAL, key: intermediateKey.public, ...validity },
    rootKey,
  );
  const leaf = certificate(
    { serial: 2, issuerSerial: 1, key: staticKey.public, ...validity },
    intermediateKey,
  );
  const certChain = proto.CertChain.encode({ leaf, intermediate }).finish();
  return { rootKey, staticKey, certChain };
}
