import type { proto } from '@whiskeysockets/baileys';
import { SessionBuilder, SessionCipher } from 'libsignal';
import { type DeviceKeys, generateDeviceKeys, generateKeyPairBuffers, toWireKey } from './device-keys.js';
import { MemorySignalStore } from './memory-signal-store.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { signalAddress } from './signal-address.js';
import { toSessionBundle, type WireBundle } from './wire-bundle.js';

export type EncType = 'pkmsg' | 'msg';

export interface EncryptedPayload {
  type: EncType;
  ciphertext: Buffer;
}

/** libsignal's numeric message types: 3 = PreKeyWhisperMessage, 1 = WhisperMessage. */
const PREKEY_WHISPER_TYPE = 3;

/**
 * One simulated device (a contact's phone, or the logged-in account's own phone) with a real Signal identity.
 * It also plays the server's prekey directory for itself: {@link claimBundle} hands out each one-time prekey
 * once, as WhatsApp's server does.
 */
export class PeerDevice {
  readonly keys: DeviceKeys;
  readonly store: MemorySignalStore;
  /** One-time prekey ids still published server-side (the private halves stay in `keys` until used). */
  private readonly published: number[];
  private nextPreKeyId: number;

  /** `keys` defaults to a fresh identity; pass existing ones to play a device the world already knows. */
  constructor(
    readonly deviceId: number,
    keys: DeviceKeys = generateDeviceKeys(),
  ) {
    this.keys = keys;
    this.store = new MemorySignalStore(this.keys);
    this.published = [...this.keys.preKeys.keys()];
    this.nextPreKeyId = Math.max(0, ...this.published) + 1;
  }

  /** Public keys for `encrypt/get/key`, consuming one one-time prekey (minting more when they run out). */
  claimBundle(): WireBundle {
    let keyId = this.published.shift();
    if (keyId === undefined) {
      keyId = this.nextPreKeyId++;
      this.keys.preKeys.set(keyId, { keyId, keyPair: generateKeyPairBuffers() });
    }
    const preKey = this.keys.preKeys.get(keyId);
    const { registrationId, identity, signedPreKey } = this.keys;
    return {
      registrationId,
      identityKey: toWireKey(identity.pubKey),
      signedPreKey: {
        keyId: signedPreKey.keyId,
        publicKey: toWireKey(signedPreKey.keyPair.pubKey),
        signature: signedPreKey.signature,
      },
      ...(preKey ? { preKey: { keyId, publicKey: toWireKey(preKey.keyPair.pubKey) } } : {}),
    };
  }

  hasSessionWith(remoteJid: string): boolean {
    return this.store.hasSession(signalAddress(remoteJid).toString());
  }

  /** Drops the session with a remote device: the next message to it starts a new one (`pkmsg`). */
  forgetSession(remoteJid: string): void {
    this.store.removeSession(signalAddress(remoteJid).toString());
  }

  async decrypt(remoteJid: string, type: EncType, ciphertext: Uint8Array): Promise<proto.Message> {
    const cipher = new SessionCipher(this.store, signalAddress(remoteJid));
    const body = Buffer.from(ciphertext);
    const plaintext =
      type === 'pkmsg'
        ? await cipher.decryptPreKeyWhisperMessage(body)
        : await cipher.decryptWhisperMessage(body);
    return decodeMessage(plaintext);
  }

  /**
   * Encrypt for a remote device. Without an open session, `fetchBundle` supplies the remote's keys (normally
   * a companion's uploaded prekeys) and the result is a `pkmsg`; later calls reuse the session.
   */
  async encrypt(
    remoteJid: string,
    message: proto.IMessage,
    fetchBundle: () => WireBundle | undefined,
  ): Promise<EncryptedPayload> {
    const address = signalAddress(remoteJid);
    if (!this.store.hasSession(address.toString())) {
      const bundle = fetchBundle();
      if (!bundle) {
        throw new Error(`no Signal keys known for ${remoteJid}`);
      }
      // libsignal's runtime accepts a bundle without a one-time prekey; its .d.ts marks it required.
      await new SessionBuilder(this.store, address).initOutgoing(
        toSessionBundle(bundle) as Parameters<SessionBuilder['initOutgoing']>[0],
      );
    }
    const { type, body } = await new SessionCipher(this.store, address).encrypt(encodeMessage(message));
    return { type: type === PREKEY_WHISPER_TYPE ? 'pkmsg' : 'msg', ciphertext: Buffer.from(body, 'binary') };
  }
}
