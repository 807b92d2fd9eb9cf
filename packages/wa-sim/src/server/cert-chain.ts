import { generateXeddsaSigner, type XeddsaSigner } from '@wagw/xeddsa';
import { Curve, type KeyPair, proto } from '@whiskeysockets/baileys';

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

type Signer = KeyPair | XeddsaSigner;

const keyPairOf = (key: Signer): KeyPair =>
  'sign' in key ? { public: key.publicKey, private: key.privateKey } : key;

function certificate(details: proto.CertChain.NoiseCertificate.IDetails, signer: Signer) {
  const encoded = proto.CertChain.NoiseCertificate.Details.encode(details).finish();
  // A key minted here signs through OpenSSL (xeddsa-signer.ts); a root given as a bare private key
  // (the CLI's) through libsignal's JavaScript curve, ~20 ms.
  const signature = 'sign' in signer ? signer.sign(encoded) : Curve.sign(signer.private, encoded);
  return { details: encoded, signature };
}

/**
 * Mints root → intermediate → leaf, each signed with XEdDSA like the real chain. rc14 does not
 * actually enforce the signatures (its Curve.verify never fails), but a future Baileys will.
 */
export function createServerIdentity(rootKey: Signer = generateXeddsaSigner()): ServerIdentity {
  const intermediateKey = generateXeddsaSigner();
  const staticKey = Curve.generateKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const validity = { notBefore: now - 3600, notAfter: now + TEN_YEARS_S };
  const intermediate = certificate(
    { serial: 1, issuerSerial: ROOT_SERIAL, key: intermediateKey.publicKey, ...validity },
    rootKey,
  );
  const leaf = certificate(
    { serial: 2, issuerSerial: 1, key: staticKey.public, ...validity },
    intermediateKey,
  );
  const certChain = proto.CertChain.encode({ leaf, intermediate }).finish();
  return { rootKey: keyPairOf(rootKey), staticKey, certChain };
}
