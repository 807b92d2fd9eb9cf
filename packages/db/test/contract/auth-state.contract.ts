import { expect, it } from 'vitest';
import type { AuthKeyWrite } from '../../src/index.js';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

// What Baileys' BufferJSON.replacer produces: Buffers as {type:'Buffer',data:base64}. Stored as text,
// so the exact string (key order, unicode, whitespace) must come back unchanged.
const CREDS = JSON.stringify({
  noiseKey: {
    private: { type: 'Buffer', data: 'q80y2Q0B6g+Zk5jq8vA=' },
    public: { type: 'Buffer', data: 'AAE=' },
  },
  me: { id: '5511999999999:1@s.whatsapp.net', name: 'Zoë 🚀' },
  registrationId: 1234,
});

export function authStateContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;
  const newSession = async () => (await repos().sessions.create({ name: uniqueName('auth') })).id;

  it('authState creds: absent, saved, overwritten, round-trip exact text', async () => {
    const id = await newSession();
    expect(await repos().authState.getCreds(id)).toBeNull();
    await repos().authState.saveCreds(id, '{"a":1}');
    await repos().authState.saveCreds(id, CREDS);
    const creds = await repos().authState.getCreds(id);
    expect(creds?.creds).toBe(CREDS);
    expect(creds?.quarantinedAt).toBeNull();
    expect(creds?.updatedAt).toBeInstanceOf(Date);
  });

  it('authState.setKeys upserts, deletes on null, last write in a batch wins', async () => {
    const id = await newSession();
    await repos().authState.setKeys(id, [
      { type: 'pre-key', id: '1', value: 'v1' },
      { type: 'pre-key', id: '2', value: 'v2' },
      { type: 'session', id: '1', value: 's1' },
    ]);
    expect(await repos().authState.getKeys(id, 'pre-key', ['1', '2', '3'])).toEqual({ 1: 'v1', 2: 'v2' });
    await repos().authState.setKeys(id, [
      { type: 'pre-key', id: '1', value: null },
      { type: 'pre-key', id: '2', value: 'v2b' },
      { type: 'pre-key', id: '4', value: 'x' },
      { type: 'pre-key', id: '4', value: 'v4' },
      { type: 'pre-key', id: '5', value: 'v5' },
      { type: 'pre-key', id: '5', value: null },
    ]);
    expect(await repos().authState.getKeys(id, 'pre-key', ['1', '2', '4', '5'])).toEqual({
      2: 'v2b',
      4: 'v4',
    });
    expect(await repos().authState.getKeys(id, 'session', ['1'])).toEqual({ 1: 's1' });
    expect(await repos().authState.getKeys(id, 'pre-key', [])).toEqual({});
  });

  it('authState.setKeys handles batches larger than one chunk', async () => {
    const id = await newSession();
    const ids = Array.from({ length: 1_200 }, (_, i) => String(i));
    await repos().authState.setKeys(
      id,
      ids.map((k) => ({ type: 'pre-key', id: k, value: `v${k}` })),
    );
    const got = await repos().authState.getKeys(id, 'pre-key', ids);
    expect(Object.keys(got)).toHaveLength(1_200);
    expect(got['1199']).toBe('v1199');
    await repos().authState.setKeys(
      id,
      ids.map((k) => ({ type: 'pre-key', id: k, value: null })),
    );
    expect(await repos().authState.getKeys(id, 'pre-key', ids)).toEqual({});
  });

  it('authState.setKeys is atomic: a bad row in a later chunk leaves nothing written', async () => {
    const id = await newSession();
    await repos().authState.setKeys(id, [{ type: 'pre-key', id: 'keep', value: 'old' }]);
    const writes: AuthKeyWrite[] = Array.from({ length: 700 }, (_, i) => ({
      type: 'pre-key',
      id: `n${i}`,
      value: 'new',
    }));
    writes.unshift({ type: 'pre-key', id: 'keep', value: null });
    writes.unshift({ type: 'app-state-sync-key', id: 'x', value: 'new' });
    // A NOT NULL violation (type) injected as the very last row, i.e. in the second insert chunk.
    writes.push({ type: null as unknown as string, id: 'bad', value: 'boom' });
    await expect(repos().authState.setKeys(id, writes)).rejects.toThrow();
    expect(await repos().authState.getKeys(id, 'pre-key', ['keep', 'n0', 'n699'])).toEqual({ keep: 'old' });
    expect(await repos().authState.getKeys(id, 'app-state-sync-key', ['x'])).toEqual({});
  });

  it('authState.clear removes creds and keys of that session only', async () => {
    const id = await newSession();
    const other = await newSession();
    for (const s of [id, other]) {
      await repos().authState.saveCreds(s, CREDS);
      await repos().authState.setKeys(s, [{ type: 'session', id: 'a', value: 'x' }]);
    }
    await repos().authState.clear(id);
    expect(await repos().authState.getCreds(id)).toBeNull();
    expect(await repos().authState.getKeys(id, 'session', ['a'])).toEqual({});
    expect(await repos().authState.getCreds(other)).not.toBeNull();
    expect(await repos().authState.getKeys(other, 'session', ['a'])).toEqual({ a: 'x' });
  });

  it('authState.quarantine marks existing creds and keeps them on later saves', async () => {
    const id = await newSession();
    expect(await repos().authState.quarantine(id, 'bad mac')).toBe(false);
    await repos().authState.saveCreds(id, CREDS);
    expect(await repos().authState.quarantine(id, 'bad mac')).toBe(true);
    const creds = await repos().authState.getCreds(id);
    expect(creds?.quarantinedAt).toBeInstanceOf(Date);
    expect(creds?.quarantineReason).toBe('bad mac');
    expect(creds?.creds).toBe(CREDS);
  });

  it('fenced auth writes: refused whole once a newer owner generation is recorded, written under the current one', async () => {
    const id = await newSession();
    await repos().sessions.setOwner(id, 'old', 3);
    const fence = { generation: 3 };
    expect(await repos().authState.saveCreds(id, '{"v":1}', fence)).toBe(true);
    expect(await repos().authState.setKeys(id, [{ type: 'session', id: 'a', value: 'old-1' }], fence)).toBe(
      true,
    );

    // Another worker claims the session (generation 4); the old owner's clock still vouches for it.
    await repos().sessions.setOwner(id, 'new', 4);
    await repos().authState.setKeys(id, [{ type: 'session', id: 'a', value: 'new-1' }], { generation: 4 });
    expect(
      await repos().authState.setKeys(
        id,
        [
          { type: 'session', id: 'a', value: 'old-2' },
          { type: 'session', id: 'b', value: 'old-2' },
          { type: 'pre-key', id: '1', value: null },
        ],
        fence,
      ),
    ).toBe(false);
    expect(await repos().authState.saveCreds(id, '{"v":2}', fence)).toBe(false);
    // Nothing of the refused writes landed: the new owner's state is intact.
    expect(await repos().authState.getKeys(id, 'session', ['a', 'b'])).toEqual({ a: 'new-1' });
    expect((await repos().authState.getCreds(id))?.creds).toBe('{"v":1}');
    // Unfenced writes (tests, tools) are not affected.
    expect(await repos().authState.saveCreds(id, '{"v":3}')).toBe(true);
  });

  it('auth rows need an existing session (foreign keys are enforced)', async () => {
    await expect(repos().authState.saveCreds(uniqueName('ghost'), CREDS)).rejects.toThrow();
  });
}
