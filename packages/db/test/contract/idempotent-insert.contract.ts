import { expect, it } from 'vitest';
import { IdempotencyClaimLostError, type NewMessage } from '../../src/index.js';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

const JID = '5511999999999@s.whatsapp.net';

/** Sends that commit their Idempotency-Key's answer in the transaction of their rows. */
export function idempotentInsertContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;
  const claim = async (key: string) =>
    (await repos().idempotencyKeys.begin({
      scope: 'admin',
      key,
      requestHash: 'h',
      expiresAt: new Date(Date.now() + 86_400_000),
    }))!;
  const message = (sessionId: string, text: string, batchId?: string): NewMessage => ({
    sessionId,
    direction: 'outbound',
    remoteJid: JID,
    type: 'text',
    payload: { text },
    batchId: batchId ?? null,
  });
  const newSession = async () => (await repos().sessions.create({ name: uniqueName('idem-insert') })).id;

  it('insert and insertMany complete the claim with the rows, in one commit', async () => {
    const sessionId = await newSession();
    const one = await claim(uniqueName('one'));
    const row = await repos().messages.insert(message(sessionId, 'a'), {
      idempotency: { keyId: one.id, status: 202, body: { ok: 1 } },
    });
    expect(await repos().messages.getById(row.id)).not.toBeNull();
    expect(await repos().idempotencyKeys.get('admin', one.key)).toMatchObject({
      status: 'completed',
      responseStatus: 202,
      responseBody: { ok: 1 },
    });

    const many = await claim(uniqueName('many'));
    const rows = await repos().messages.insertMany(
      [message(sessionId, 'b', 'batch-1'), message(sessionId, 'c', 'batch-1')],
      { idempotency: { keyId: many.id, status: 202, body: { batchId: 'batch-1' } } },
    );
    expect(rows).toHaveLength(2);
    expect((await repos().idempotencyKeys.get('admin', many.key))?.status).toBe('completed');
  });

  it('a claim taken over before the commit fails the insert and leaves no rows', async () => {
    const sessionId = await newSession();
    const key = uniqueName('lost');
    const stale = await claim(key);
    // A retry judged the claim abandoned: deleted it and claimed the key anew.
    await repos().idempotencyKeys.delete(stale.id);
    const fresh = await claim(key);
    const idempotency = { keyId: stale.id, status: 202, body: {} };
    await expect(repos().messages.insert(message(sessionId, 'late'), { idempotency })).rejects.toBeInstanceOf(
      IdempotencyClaimLostError,
    );
    await expect(
      repos().messages.insertMany([message(sessionId, 'late-1', 'b2'), message(sessionId, 'late-2', 'b2')], {
        idempotency,
      }),
    ).rejects.toBeInstanceOf(IdempotencyClaimLostError);
    expect((await repos().messages.countByStatus(sessionId)).queued).toBe(0);
    // The retry's claim is untouched, and a completed claim cannot be completed twice either.
    expect(await repos().idempotencyKeys.get('admin', key)).toMatchObject({
      id: fresh.id,
      status: 'in_progress',
    });
    await repos().messages.insert(message(sessionId, 'retry'), {
      idempotency: { keyId: fresh.id, status: 202, body: {} },
    });
    await expect(
      repos().messages.insert(message(sessionId, 'again'), {
        idempotency: { keyId: fresh.id, status: 202, body: {} },
      }),
    ).rejects.toBeInstanceOf(IdempotencyClaimLostError);
    expect((await repos().messages.countByStatus(sessionId)).queued).toBe(1);
  });
}
