import type { AuthStateRepository } from '@wagw/db';
import {
  type AuthenticationCreds,
  type AuthenticationState,
  BufferJSON,
  initAuthCreds,
  proto,
  type SignalDataSet,
  type SignalDataTypeMap,
} from '@whiskeysockets/baileys';

/**
 * Baileys' auth state (credentials + Signal keys) kept in the database, never in files, so any
 * worker can take a session over without re-pairing. Values are stored as BufferJSON text, the
 * encoding Baileys itself uses, so Buffers round-trip exactly. Each `keys.set` is one transaction:
 * Baileys updates sessions, pre-keys and sender keys together and a half-written set would corrupt
 * the Signal state.
 */
export type DbAuthState =
  | { ok: true; state: AuthenticationState; saveCreds: () => Promise<void>; paired: boolean }
  | { ok: false; reason: string };

class CorruptAuthStateError extends Error {
  override name = 'CorruptAuthStateError';
}

function parseCreds(text: string): AuthenticationCreds {
  let creds: unknown;
  try {
    creds = JSON.parse(text, BufferJSON.reviver);
  } catch (err) {
    throw new CorruptAuthStateError(`creds are not valid JSON: ${(err as Error).message}`);
  }
  const c = creds as Partial<AuthenticationCreds> | null;
  // The fields without which Baileys cannot even start a handshake.
  if (
    !c ||
    typeof c !== 'object' ||
    !c.noiseKey?.private ||
    !c.signedIdentityKey?.private ||
    !c.advSecretKey
  ) {
    throw new CorruptAuthStateError('creds are missing noiseKey, signedIdentityKey or advSecretKey');
  }
  return c as AuthenticationCreds;
}

function decodeKey<T extends keyof SignalDataTypeMap>(type: T, text: string): SignalDataTypeMap[T] {
  const value = JSON.parse(text, BufferJSON.reviver);
  // Baileys expects protobuf objects for app-state keys (as its own file store does).
  if (type === 'app-state-sync-key') return proto.Message.AppStateSyncKeyData.fromObject(value) as never;
  return value;
}

export async function loadDbAuthState(repo: AuthStateRepository, sessionId: string): Promise<DbAuthState> {
  const row = await repo.getCreds(sessionId);
  if (row?.quarantinedAt) return { ok: false, reason: row.quarantineReason ?? 'auth state quarantined' };

  let creds: AuthenticationCreds;
  try {
    creds = row ? parseCreds(row.creds) : initAuthCreds();
  } catch (err) {
    if (!(err instanceof CorruptAuthStateError)) throw err;
    // Kept (not deleted) for diagnosis; the session needs a new pairing.
    await repo.quarantine(sessionId, err.message);
    return { ok: false, reason: err.message };
  }

  const state: AuthenticationState = {
    creds,
    keys: {
      async get(type, ids) {
        const rows = await repo.getKeys(sessionId, type, ids);
        const result: Record<string, SignalDataTypeMap[typeof type]> = {};
        for (const [id, text] of Object.entries(rows)) {
          try {
            result[id] = decodeKey(type, text);
          } catch {
            // One unreadable key must not take the session down: Baileys treats it as missing
            // and renegotiates (e.g. a new Signal session), which is recoverable.
          }
        }
        return result;
      },
      async set(data: SignalDataSet) {
        const writes: Array<{ type: string; id: string; value: string | null }> = [];
        for (const [type, entries] of Object.entries(data)) {
          for (const [id, value] of Object.entries(entries ?? {})) {
            writes.push({
              type,
              id,
              value: value == null ? null : JSON.stringify(value, BufferJSON.replacer),
            });
          }
        }
        if (writes.length > 0) await repo.setKeys(sessionId, writes);
      },
      async clear() {
        await repo.clear(sessionId);
      },
    },
  };

  return {
    ok: true,
    state,
    // Credentials exist before pairing completes; only `me` says WhatsApp linked this device.
    paired: Boolean(creds.me),
    saveCreds: () => repo.saveCreds(sessionId, JSON.stringify(state.creds, BufferJSON.replacer)),
  };
}
