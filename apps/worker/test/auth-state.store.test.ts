import { createDatabase, type Database } from '@wagw/db';
import { createLogger } from '@wagw/logger';
import { createPgSchema, type PgSchema, tempSqliteUrl } from '@wagw/testing';
import { BufferJSON, initAuthCreds } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDbAuthState, SocketClosedKeyWriteError } from '../src/sessions/auth-state.store.js';

const logger = createLogger({ name: 'test', level: 'silent' });

describe.each(['sqlite', 'postgres'] as const)('loadDbAuthState on %s', (dialect) => {
  let db: Database;
  let pgSchema: PgSchema | undefined;
  const sqlite = tempSqliteUrl();

  beforeAll(async () => {
    pgSchema = dialect === 'postgres' ? await createPgSchema() : undefined;
    db = await createDatabase({ url: pgSchema?.url ?? sqlite.url });
    await db.migrate();
  });
  afterAll(async () => {
    await db.close();
    await pgSchema?.drop();
    sqlite.cleanup();
  });

  async function newSession(name: string) {
    return (await db.repos.sessions.create({ name })).id;
  }

  it('starts with fresh creds and round-trips them with their Buffers', async () => {
    const id = await newSession('fresh');
    const first = await loadDbAuthState(db.repos.authState, id);
    if (!first.ok) throw new Error(first.reason);
    expect(first.paired).toBe(false);
    first.state.creds.accountSyncCounter = 7;
    await first.saveCreds();

    const second = await loadDbAuthState(db.repos.authState, id);
    if (!second.ok) throw new Error(second.reason);
    expect(second.paired).toBe(false);
    expect(await db.repos.authState.getCreds(id)).not.toBeNull();
    expect(second.state.creds.accountSyncCounter).toBe(7);
    expect(Buffer.isBuffer(second.state.creds.noiseKey.private)).toBe(true);
    expect(
      Buffer.from(second.state.creds.noiseKey.private).equals(
        Buffer.from(first.state.creds.noiseKey.private),
      ),
    ).toBe(true);
  });

  it('stores, reads and deletes Signal keys', async () => {
    const id = await newSession('keys');
    const auth = await loadDbAuthState(db.repos.authState, id);
    if (!auth.ok) throw new Error(auth.reason);
    const keyPair = { public: Buffer.from([1, 2, 3]), private: Buffer.from([4, 5, 6]) };
    await auth.state.keys.set({
      'pre-key': { '1': keyPair, '2': keyPair },
      session: { 'a.0': Buffer.from('session-bytes') },
      'app-state-sync-key': { k1: { keyData: Buffer.from([9]), timestamp: 5 } },
    });
    const preKeys = await auth.state.keys.get('pre-key', ['1', '2', '3']);
    expect(Object.keys(preKeys).sort()).toEqual(['1', '2']);
    expect(Buffer.from(preKeys['1']!.private).equals(keyPair.private)).toBe(true);
    const appKeys = await auth.state.keys.get('app-state-sync-key', ['k1']);
    expect(Buffer.from(appKeys.k1!.keyData!).equals(Buffer.from([9]))).toBe(true);

    await auth.state.keys.set({ 'pre-key': { '1': null } });
    expect(Object.keys(await auth.state.keys.get('pre-key', ['1', '2']))).toEqual(['2']);
  });

  it('refuses Signal key writes once the connection closed, so a message read after it stays decryptable', async () => {
    const id = await newSession('closed');
    let closed = false;
    const auth = await loadDbAuthState(db.repos.authState, id, { logger, connectionClosed: () => closed });
    if (!auth.ok) throw new Error(auth.reason);
    await auth.state.keys.set({ session: { 'a.0': Buffer.from('before') } });
    closed = true;
    // What decrypting a message read after the close would store: the session moved on, the
    // one-time prekey used up. Neither may reach the database.
    await expect(
      auth.state.keys.set({ session: { 'a.0': Buffer.from('after') }, 'pre-key': { '1': null } }),
    ).rejects.toThrow(SocketClosedKeyWriteError);
    const next = await loadDbAuthState(db.repos.authState, id);
    if (!next.ok) throw new Error(next.reason);
    const session = await next.state.keys.get('session', ['a.0']);
    expect(Buffer.from(session['a.0'] as Uint8Array).toString()).toBe('before');
  });

  it('refuses writes under a superseded lease generation and tells the owner to step aside', async () => {
    const id = await newSession('fenced');
    await db.repos.sessions.setOwner(id, 'old', 1);
    let superseded = 0;
    const auth = await loadDbAuthState(db.repos.authState, id, {
      logger,
      fence: { generation: 1, onSuperseded: () => superseded++ },
    });
    if (!auth.ok) throw new Error(auth.reason);
    await auth.state.keys.set({ session: { 'peer.0': Buffer.from('old-1') } });
    await auth.saveCreds();
    expect(superseded).toBe(0);

    // Another worker claims the session (generation 2) and writes its own Signal state.
    await db.repos.sessions.setOwner(id, 'new', 2);
    await db.repos.authState.setKeys(id, [{ type: 'session', id: 'peer.0', value: '"new"' }]);
    await expect(auth.state.keys.set({ session: { 'peer.0': Buffer.from('old-2') } })).rejects.toThrow(
      /another worker owns/,
    );
    await expect(auth.saveCreds()).rejects.toThrow(/another worker owns/);
    expect(superseded).toBe(2);
    expect(await db.repos.authState.getKeys(id, 'session', ['peer.0'])).toEqual({ 'peer.0': '"new"' });
  });

  it('writes under the newest socket’s generation after the session was reclaimed in the same process', async () => {
    const id = await newSession('reclaimed');
    await db.repos.sessions.setOwner(id, 'w', 1);
    const first = await loadDbAuthState(db.repos.authState, id, {
      logger,
      fence: { generation: 1, onSuperseded: () => {} },
    });
    if (!first.ok) throw new Error(first.reason);
    await first.state.keys.set({ session: { 'peer.0': Buffer.from('gen-1') } });

    // The lease lapsed (Redis frozen) and this same worker claimed the session again.
    await db.repos.sessions.setOwner(id, 'w', 2);
    let superseded = 0;
    const second = await loadDbAuthState(db.repos.authState, id, {
      logger,
      fence: { generation: 2, onSuperseded: () => superseded++ },
    });
    if (!second.ok) throw new Error(second.reason);
    await second.state.keys.set({ session: { 'peer.0': Buffer.from('gen-2') } });
    expect(superseded).toBe(0);
    const stored = await db.repos.authState.getKeys(id, 'session', ['peer.0']);
    expect(Buffer.from(JSON.parse(stored['peer.0']!, BufferJSON.reviver)).toString()).toBe('gen-2');
  });

  it('serves repeated key reads from memory and writes every change through to the database', async () => {
    const id = await newSession('cached');
    let reads = 0;
    const counted = {
      ...db.repos.authState,
      getKeys: (...args: Parameters<typeof db.repos.authState.getKeys>) => {
        reads++;
        return db.repos.authState.getKeys(...args);
      },
    };
    const auth = await loadDbAuthState(counted, id);
    if (!auth.ok) throw new Error(auth.reason);
    await auth.state.keys.set({ session: { 'peer.0': Buffer.from('v1') } });
    // Written through: the database has it before `set` resolves.
    expect(await db.repos.authState.getKeys(id, 'session', ['peer.0'])).toHaveProperty('peer.0');
    for (let i = 0; i < 5; i++) {
      const got = await auth.state.keys.get('session', ['peer.0']);
      expect(Buffer.from(got['peer.0']!).toString()).toBe('v1');
    }
    expect(reads).toBe(0);
    await auth.state.keys.set({ session: { 'peer.0': Buffer.from('v2') } });
    const stored = await db.repos.authState.getKeys(id, 'session', ['peer.0']);
    expect(Buffer.from(JSON.parse(stored['peer.0']!, BufferJSON.reviver)).toString()).toBe('v2');

    // A new socket (a reconnect, or another worker after a lease takeover) starts from the
    // database, never from this socket's memory: it sees what others wrote since.
    await db.repos.authState.setKeys(id, [
      { type: 'session', id: 'peer.0', value: JSON.stringify(Buffer.from('v3'), BufferJSON.replacer) },
    ]);
    const next = await loadDbAuthState(db.repos.authState, id);
    if (!next.ok) throw new Error(next.reason);
    const fresh = await next.state.keys.get('session', ['peer.0']);
    expect(Buffer.from(fresh['peer.0']!).toString()).toBe('v3');
  });

  it('remembers which keys the database does not have until this socket writes them', async () => {
    const id = await newSession('absent');
    let reads = 0;
    const counted = {
      ...db.repos.authState,
      getKeys: (...args: Parameters<typeof db.repos.authState.getKeys>) => {
        reads++;
        return db.repos.authState.getKeys(...args);
      },
    };
    const auth = await loadDbAuthState(counted, id);
    if (!auth.ok) throw new Error(auth.reason);
    // What every send asks for and rarely exists (a contact's privacy token).
    for (let i = 0; i < 3; i++) expect(await auth.state.keys.get('tctoken', ['peer'])).toEqual({});
    expect(reads).toBe(1);
    await auth.state.keys.set({ tctoken: { peer: { token: Buffer.from([1]), timestamp: '1' } } });
    expect(Object.keys(await auth.state.keys.get('tctoken', ['peer']))).toEqual(['peer']);
    await auth.state.keys.set({ tctoken: { peer: null } });
    expect(await auth.state.keys.get('tctoken', ['peer'])).toEqual({});
    expect(await db.repos.authState.getKeys(id, 'tctoken', ['peer'])).toEqual({});
    expect(reads).toBe(1);
  });

  it('quarantines corrupt creds and reports needs-pairing instead of throwing', async () => {
    const id = await newSession('corrupt');
    await db.repos.authState.saveCreds(id, '{"noiseKey": not json');
    const result = await loadDbAuthState(db.repos.authState, id);
    expect(result.ok).toBe(false);
    const row = await db.repos.authState.getCreds(id);
    expect(row?.quarantinedAt).toBeInstanceOf(Date);
    expect(row?.creds).toBe('{"noiseKey": not json');
    // Still refused on the next load: a quarantined row is never used.
    expect((await loadDbAuthState(db.repos.authState, id)).ok).toBe(false);
  });

  it('treats creds missing their keys as corrupt', async () => {
    const id = await newSession('partial');
    const creds = initAuthCreds() as unknown as Record<string, unknown>;
    delete creds.noiseKey;
    await db.repos.authState.saveCreds(id, JSON.stringify(creds, BufferJSON.replacer));
    expect(await loadDbAuthState(db.repos.authState, id)).toMatchObject({ ok: false });
  });
});
