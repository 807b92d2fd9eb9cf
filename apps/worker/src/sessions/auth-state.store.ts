import type { AuthStateRepository } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import {
  type AuthenticationCreds,
  type AuthenticationState,
  BufferJSON,
  initAuthCreds,
  makeCacheableSignalKeyStore,
  proto,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import { keyWriteBehindFor } from './auth-key-write-behind.js';
import { type LidPair, lidPairsOf } from './lid-mapping-keys.js';
import { type KeyWrite, MessageTurns } from './message-turns.js';
import { createSignalKeyCache } from './signal-key-cache.js';

/**
 * Baileys' auth state (credentials + Signal keys) kept in the database, never in files, so any
 * worker can take a session over without re-pairing. Values are stored as BufferJSON text, the
 * encoding Baileys itself uses, so Buffers round-trip exactly. Each `keys.set` is one transaction:
 * Baileys updates sessions, pre-keys and sender keys together and a half-written set would corrupt
 * the Signal state. The keys are read through a bounded cache that lives as long as this auth state
 * (one socket, see signal-key-cache.ts); Baileys' cacheable store writes through, so every write
 * reaches the database before `keys.set` resolves, but those made while Baileys handles an inbound
 * message: they wait until it is done with it (message-turns.ts).
 */
export type DbAuthState =
  | {
      ok: true;
      state: AuthenticationState;
      saveCreds: () => Promise<void>;
      paired: boolean;
      /** Each inbound message one turn (its keys held, its store awaited): install on the socket. */
      messageTurns: MessageTurns;
    }
  | { ok: false; reason: string };

class CorruptAuthStateError extends Error {
  override name = 'CorruptAuthStateError';
}

/** A write the database refused: a newer owner of the session is recorded (see OwnerFence). */
class SupersededAuthWriteError extends Error {
  override name = 'SupersededAuthWriteError';
}

/**
 * The lease generation this socket's owner writes under, and what to do when the database says
 * another worker claimed the session since: the write is refused whole and the owner steps aside.
 */
export interface AuthWriteFence {
  generation: number;
  onSuperseded: () => void;
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

/** A Signal key write after the socket's connection closed (see `connectionClosed` below). */
export class SocketClosedKeyWriteError extends Error {
  constructor(sessionId: string) {
    super(`Signal key write refused: the connection of ${sessionId} closed (the message comes again)`);
    this.name = 'SocketClosedKeyWriteError';
  }
}

/**
 * `writeBehind` holds key writes while the database is unavailable (auth-key-write-behind.ts);
 * without it a failed write fails `keys.set`.
 */
export async function loadDbAuthState(
  repo: AuthStateRepository,
  sessionId: string,
  writeBehind?: {
    logger: Logger;
    canWrite?: () => Promise<void>;
    holdsLease?: () => boolean;
    fence?: AuthWriteFence;
    /**
     * True once the socket's connection closed. Its Signal key writes are refused from then on:
     * Baileys still decrypts frames it had read, and cannot hand those messages over (their
     * receipts fail), so storing the keys they used would leave WhatsApp's next delivery of them
     * undecryptable (Baileys nacks it with 487 and the message is lost).
     */
    connectionClosed?: () => boolean;
  },
  /** Told the PN↔LID pairs of every `lid-mapping` write once it is stored (see lid-mapping-keys.ts). */
  onLidMappings?: (pairs: LidPair[]) => void,
): Promise<DbAuthState> {
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

  // Keys the database does not have. Baileys' cache keeps only keys it found, and a send asks for
  // some that rarely exist (the contact's `tctoken`, `lid-mapping`s): without this each of those
  // would be a database read per message. Every write of this socket passes through `set` below,
  // which keeps it true; like the cache, it lives and dies with the socket.
  const absent = createSignalKeyCache();
  const fence = writeBehind?.fence;
  const ownerFence = fence ? { generation: fence.generation } : undefined;
  const refused = (what: string) => {
    fence?.onSuperseded();
    return new SupersededAuthWriteError(`${what} refused: another worker owns ${sessionId} now`);
  };
  const writeKeys = async (writes: Parameters<AuthStateRepository['setKeys']>[1]) => {
    if (!(await repo.setKeys(sessionId, writes, ownerFence))) throw refused('Signal key write');
  };
  const held = writeBehind
    ? keyWriteBehindFor(
        sessionId,
        writeBehind.logger,
        async (writes) => {
          await writeBehind.canWrite?.();
          await writeKeys(writes);
        },
        writeBehind.holdsLease,
      )
    : undefined;
  const write = async (writes: KeyWrite[]) => {
    if (writeBehind?.connectionClosed?.()) throw new SocketClosedKeyWriteError(sessionId);
    await (held ? held.set(writes) : writeKeys(writes));
  };
  const messageTurns = new MessageTurns({
    commit: write,
    connectionClosed: () => writeBehind?.connectionClosed?.() ?? false,
    onError: (err, what, count) =>
      writeBehind?.logger[err instanceof SocketClosedKeyWriteError ? 'debug' : 'warn'](
        { err, sessionId, count },
        what === 'keys'
          ? 'key writes of a handled message not stored'
          : 'handing inbound messages over failed',
      ),
  });
  const stored: SignalKeyStore = {
    async get(type, ids) {
      const result: Record<string, SignalDataTypeMap[typeof type]> = {};
      const wanted = ids.filter((id) => absent.get(`${type}.${id}`) === undefined);
      if (wanted.length === 0) return result;
      // Writes held for the message being handled, or while the database is unavailable, are
      // newer than what it has.
      const newest = (id: string) => {
        const value = messageTurns.held(type, id);
        return value !== undefined ? value : held?.held(type, id);
      };
      const heldValues = new Map(wanted.map((id) => [id, newest(id)] as const));
      const unheld = wanted.filter((id) => heldValues.get(id) === undefined);
      const rows = unheld.length > 0 ? await repo.getKeys(sessionId, type, unheld) : {};
      for (const id of wanted) {
        const heldValue = heldValues.get(id);
        if (heldValue === null) continue;
        const text = heldValue ?? rows[id];
        if (text === undefined) {
          absent.set(`${type}.${id}`, true);
          continue;
        }
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
      if (writes.length === 0) return;
      if (!messageTurns.hold(writes)) {
        await messageTurns.beforeDirectWrite(writes);
        await write(writes);
      }
      for (const write of writes) {
        if (write.value === null) absent.set(`${write.type}.${write.id}`, true);
        else absent.del(`${write.type}.${write.id}`);
      }
      const pairs = onLidMappings ? lidPairsOf(data) : [];
      if (pairs.length > 0) onLidMappings?.(pairs);
    },
    async clear() {
      absent.flushAll();
      await repo.clear(sessionId);
    },
  };
  const state: AuthenticationState = {
    creds,
    keys: makeCacheableSignalKeyStore(stored, undefined, createSignalKeyCache()),
  };

  return {
    ok: true,
    state,
    // Credentials exist before pairing completes; only `me` says WhatsApp linked this device.
    paired: Boolean(creds.me),
    messageTurns,
    async saveCreds() {
      const text = JSON.stringify(state.creds, BufferJSON.replacer);
      if (!(await repo.saveCreds(sessionId, text, ownerFence))) throw refused('creds write');
    },
  };
}
