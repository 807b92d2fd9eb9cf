import { createDatabase, type Database } from '@wagw/db';
import { createPgSchema, type PgSchema, tempSqliteUrl } from '@wagw/testing';
import { BufferJSON, initAuthCreds } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDbAuthState } from '../src/sessions/auth-state.store.js';

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
