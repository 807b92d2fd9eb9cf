import type { KeyPair } from '@whiskeysockets/baileys';

export interface SignedPreKey {
  keyId: number;
  /** 32-byte public key, without libsignal's 0x05 prefix. */
  publicKey: Buffer;
  /** 64-byte XEdDSA signature by the device identity key over `05 ‖ publicKey`. */
  signature: Buffer;
}

/** Device 0 of an account: the simulated phone. Holds private keys because the simulator plays it. */
export interface PrimaryDevice {
  jid: string;
  lid: string;
  identityKey: KeyPair;
  registrationId: number;
  signedPreKey: { keyId: number; keyPair: KeyPair; signature: Buffer };
}

/** A linked device (a Baileys client). Only public material: the private keys live in its creds. */
export interface Companion {
  readonly account: Account;
  readonly deviceId: number;
  /** `15550001111:5@s.whatsapp.net` */
  readonly jid: string;
  /** `100200300400500:5@lid` */
  readonly lid: string;
  /** Long-term Noise public key; a login is only valid with the matching handshake static key. */
  noiseKey: Buffer;
  /** 32-byte Signal identity public key (from the QR, later confirmed by the prekey upload). */
  identityKey: Buffer;
  registrationId: number;
  signedPreKey: SignedPreKey;
  /** One-time prekeys uploaded by the client, by id. Consumers delete a key once it is used. */
  preKeys: Map<number, Buffer>;
  /** ADV key index of this device; usync device lists must carry it. */
  keyIndex: number;
  /** `ADVSignedDeviceIdentity` including the account signature key, as the client stores it. */
  signedDeviceIdentity: Buffer;
  platform: string;
  pairedAt: number;
}

export interface Account {
  /** Digits only, e.g. `15550001111`. */
  readonly phone: string;
  /** LID user, digits only, e.g. `100200300400500`. */
  readonly lidUser: string;
  /** `15550001111@s.whatsapp.net` */
  readonly pnJid: string;
  /** `100200300400500@lid` */
  readonly lidJid: string;
  name?: string;
  /** ADV account key pair: the phone signs every companion's identity with it. */
  readonly advKey: KeyPair;
  /** Stable id carried in every ADVDeviceIdentity of this account. */
  readonly rawId: number;
  readonly primary: PrimaryDevice;
  readonly companions: Map<number, Companion>;
  nextDeviceId: number;
  nextKeyIndex: number;
}

export interface OneTimePreKey {
  id: number;
  publicKey: Buffer;
}
