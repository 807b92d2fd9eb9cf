const QR_PREFIX = 'https://wa.me/settings/linked_devices#';

/** The fields of a companion QR, decoded. */
export interface PairingQr {
  ref: string;
  noisePub: Buffer;
  identityPub: Buffer;
  advSecret: Buffer;
  platformId: string;
}

/** Parses `…#ref,noiseB64,identityB64,advSecretB64,platformId` (the URL prefix is optional). */
export function parsePairingQr(qr: string): PairingQr {
  const body = qr.trim().startsWith(QR_PREFIX) ? qr.trim().slice(QR_PREFIX.length) : qr.trim();
  const [ref, noise, identity, adv, platformId] = body.split(',');
  if (!ref || !noise || !identity || !adv || platformId === undefined) {
    throw new Error('not a WhatsApp companion QR');
  }
  const decoded = {
    ref,
    noisePub: Buffer.from(noise, 'base64'),
    identityPub: Buffer.from(identity, 'base64'),
    advSecret: Buffer.from(adv, 'base64'),
    platformId,
  };
  if (decoded.noisePub.length !== 32 || decoded.identityPub.length !== 32) {
    throw new Error('QR keys must be 32 bytes');
  }
  return decoded;
}
