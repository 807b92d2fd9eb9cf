import {
  type AuthenticationCreds,
  type AuthenticationState,
  BufferJSON,
  Curve,
  INITIAL_PREKEY_COUNT,
  type KeyPair,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import { initSigningAuthCreds } from '../signal/signing-key.js';

export interface MemoryAuthOptions {
  /**
   * Store this many one-time prekeys as "generated but not uploaded yet", taken from a pool made
   * once per process, so Baileys' first login uploads them instead of generating 812 fresh key
   * pairs (~0.3 s of CPU per client, the bulk of a pairing). Shared key material is harmless in
   * tests. Default 0: Baileys generates its own, as in production.
   */
  seedPreKeys?: number;
}

const pool: KeyPair[] = [];

function preKeyPool(count: number): KeyPair[] {
  while (pool.length < count) pool.push(Curve.generateKeyPair());
  return pool.slice(0, count);
}

/** A Map-backed `SignalKeyStore`; values are kept as-is (no serialization round trip). */
export function createMemoryKeyStore(): SignalKeyStore & { readonly data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const value = data.get(`${type}:${id}`);
        if (value !== undefined) found[id] = value as SignalDataTypeMap[T];
      }
      return found;
    },
    set(set: SignalDataSet) {
      for (const [type, entries] of Object.entries(set)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) data.delete(`${type}:${id}`);
          else data.set(`${type}:${id}`, value);
        }
      }
    },
    clear() {
      data.clear();
    },
  };
}

/**
 * An in-memory auth state. Baileys mutates `creds` in place on `creds.update`, so reusing the
 * same object for the next socket is "logging in from stored creds".
 */
export function createMemoryAuthState(
  creds: AuthenticationCreds = initSigningAuthCreds(),
  options: MemoryAuthOptions = {},
): AuthenticationState {
  const keys = createMemoryKeyStore();
  const seed = Math.min(options.seedPreKeys ?? 0, INITIAL_PREKEY_COUNT);
  if (seed > 0) {
    const first = creds.nextPreKeyId;
    for (const [i, pair] of preKeyPool(seed).entries()) keys.data.set(`pre-key:${first + i}`, pair);
    creds.nextPreKeyId = first + seed;
  }
  return { creds, keys };
}

const deepCopy = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value, BufferJSON.replacer), BufferJSON.reviver);

/**
 * A copy of an in-memory auth state as it is now: logging in from it later is a device that
 * crashed here, before anything it learned afterwards (Signal keys used, sessions advanced) was
 * stored.
 */
export function snapshotMemoryAuthState(auth: AuthenticationState): AuthenticationState {
  const source = auth.keys as ReturnType<typeof createMemoryKeyStore>;
  if (!(source.data instanceof Map)) throw new Error('not an in-memory auth state');
  const keys = createMemoryKeyStore();
  for (const [key, value] of source.data) keys.data.set(key, deepCopy(value));
  return { creds: deepCopy(auth.creds), keys };
}
