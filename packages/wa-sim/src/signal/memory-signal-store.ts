import type { SessionRecord, SignalStorage } from 'libsignal';
import type { DeviceKeys, SignalKeyPair } from './device-keys.js';

/**
 * libsignal storage for one simulated device, kept in memory. Session records are stored as live objects
 * (no serialisation) because a simulator lives exactly as long as the test that created it.
 */
export class MemorySignalStore implements SignalStorage {
  private readonly sessions = new Map<string, SessionRecord>();

  constructor(private readonly keys: DeviceKeys) {}

  async loadSession(id: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(id);
  }

  async storeSession(id: string, session: SessionRecord): Promise<void> {
    this.sessions.set(id, session);
  }

  removeSession(id: string): void {
    this.sessions.delete(id);
  }

  hasSession(id: string): boolean {
    return this.sessions.get(id)?.haveOpenSession() ?? false;
  }

  // Trust on first use, like WhatsApp Web: identity changes are not what this simulator tests.
  isTrustedIdentity(): boolean {
    return true;
  }

  async loadPreKey(id: number | string): Promise<SignalKeyPair | undefined> {
    return this.keys.preKeys.get(Number(id))?.keyPair;
  }

  removePreKey(id: number): void {
    this.keys.preKeys.delete(id);
  }

  loadSignedPreKey(): SignalKeyPair {
    return this.keys.signedPreKey.keyPair;
  }

  getOurRegistrationId(): number {
    return this.keys.registrationId;
  }

  getOurIdentity(): SignalKeyPair {
    return this.keys.identity;
  }
}
