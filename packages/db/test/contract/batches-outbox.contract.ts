import { expect, it } from 'vitest';
import type { NewMessage } from '../../src/index.js';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

const JID = '4915112345678@s.whatsapp.net';

/** Bulk batches (counts, cancel) and the outbox queries reconciliation relies on. */
export function batchesOutboxContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;
  const newSession = async () => (await repos().sessions.create({ name: uniqueName('batch') })).id;
  const outbound = (sessionId: string, extra: Partial<NewMessage> = {}): NewMessage => ({
    sessionId,
    direction: 'outbound',
    remoteJid: JID,
    type: 'text',
    payload: { type: 'text', text: 'hi' },
    ...extra,
  });

  it('messages.updateStatus with expectedFrom is a compare-and-set', async () => {
    const sessionId = await newSession();
    const m = await repos().messages.insert(outbound(sessionId));
    const claimed = await repos().messages.updateStatus(m.id, 'sending', null, { expectedFrom: 'queued' });
    expect(claimed).toMatchObject({ status: 'sending', attempts: 1 });
    expect(await repos().messages.updateStatus(m.id, 'sending', null, { expectedFrom: 'queued' })).toBeNull();
    expect(
      await repos().messages.updateStatus(m.id, 'sent', null, { expectedFrom: ['queued', 'sending'] }),
    ).toMatchObject({ status: 'sent' });
    expect((await repos().messages.getById(m.id))?.attempts).toBe(1);
  });

  it('messages.countByBatch counts a batch by status; null for an unknown batch', async () => {
    const sessionId = await newSession();
    const batchId = uniqueName('b');
    const rows = await repos().messages.insertMany(
      Array.from({ length: 5 }, () => outbound(sessionId, { batchId })),
    );
    await repos().messages.insert(outbound(sessionId, { batchId: uniqueName('other') }));
    await repos().messages.updateStatus(rows[0]!.id, 'sent');
    await repos().messages.updateStatus(rows[1]!.id, 'failed', 'x');
    const counts = await repos().messages.countByBatch(batchId);
    expect(counts).toMatchObject({ batchId, sessionId, total: 5 });
    expect(counts?.counts).toMatchObject({ queued: 3, sent: 1, failed: 1, cancelled: 0 });
    expect(Object.keys(counts?.counts ?? {})).toHaveLength(9);
    expect(await repos().messages.countByBatch('no-such-batch')).toBeNull();
  });

  it('messages.cancelQueued(batchId) cancels only rows still queued', async () => {
    const sessionId = await newSession();
    const batchId = uniqueName('b');
    const rows = await repos().messages.insertMany(
      Array.from({ length: 4 }, () => outbound(sessionId, { batchId })),
    );
    const other = await repos().messages.insert(outbound(sessionId));
    await repos().messages.updateStatus(rows[0]!.id, 'sending');
    const cancelled = await repos().messages.cancelQueued({ batchId });
    expect(cancelled.sort()).toEqual(
      rows
        .slice(1)
        .map((r) => r.id)
        .sort(),
    );
    expect(await repos().messages.getById(rows[1]!.id)).toMatchObject({
      status: 'cancelled',
      statusReason: 'cancelled by request',
    });
    expect((await repos().messages.getById(rows[0]!.id))?.status).toBe('sending');
    expect((await repos().messages.getById(other.id))?.status).toBe('queued');
    expect(await repos().messages.cancelQueued({ batchId })).toEqual([]);
  });

  /** Outbox rows of the batch's completion events: each build gets its own id, so duplicates show. */
  const completions = async (batchId: string) =>
    (await repos().eventOutbox.claimStale(new Date(Date.now() + 60_000), 1, 10_000)).filter((e) =>
      e.id.startsWith(`done-${batchId}-`),
    );
  const completionBuilder = (batchId: string) => {
    let built = 0;
    return {
      build: (counts: { total: number }) => ({
        id: `done-${batchId}-${++built}`,
        sessionId: null,
        envelope: { total: counts.total },
      }),
      built: () => built,
    };
  };

  it('the last of 20 concurrent settling updates writes the batch completion, exactly once (5 batches)', async () => {
    // Without the batch lock PostgreSQL lost the event (two last settlers each saw the other
    // unsettled) in about one run of three with a single batch: five make that near-certain to show.
    const sessionId = await newSession();
    for (let round = 0; round < 5; round++) {
      const batchId = uniqueName('settle');
      const rows = await repos().messages.insertMany(
        Array.from({ length: 20 }, () => outbound(sessionId, { batchId, status: 'sending' })),
      );
      const completion = completionBuilder(batchId);
      await Promise.all(
        rows.map((row, i) =>
          repos().messages.updateStatus(row.id, i % 2 ? 'sent' : 'failed', null, {
            expectedFrom: 'sending',
            batchEvent: completion.build,
          }),
        ),
      );
      expect(completion.built(), `batch ${round}`).toBe(1);
      const stored = await completions(batchId);
      expect(stored).toEqual([{ id: `done-${batchId}-1`, sessionId: null, envelope: { total: 20 } }]);
      await repos().eventOutbox.remove(stored.map((e) => e.id));
    }
  });

  it('a cancel that settles a batch writes its completion; one that leaves a message sending does not', async () => {
    const sessionId = await newSession();
    const batchId = uniqueName('cancel-settle');
    const [inFlight] = await repos().messages.insertMany([
      outbound(sessionId, { batchId, status: 'sending' }),
      outbound(sessionId, { batchId }),
      outbound(sessionId, { batchId }),
    ]);
    const completion = completionBuilder(batchId);
    expect(await repos().messages.cancelQueued({ batchId }, { batchEvent: completion.build })).toHaveLength(
      2,
    );
    expect(completion.built()).toBe(0);
    await repos().messages.updateStatus(inFlight!.id, 'sent', null, {
      expectedFrom: 'sending',
      batchEvent: completion.build,
    });
    expect(completion.built()).toBe(1);
    const other = uniqueName('cancel-all');
    await repos().messages.insertMany([
      outbound(sessionId, { batchId: other }),
      outbound(sessionId, { batchId: other }),
    ]);
    const all = completionBuilder(other);
    expect(await repos().messages.cancelQueued({ batchId: other }, { batchEvent: all.build })).toHaveLength(
      2,
    );
    expect(await completions(other)).toEqual([
      { id: `done-${other}-1`, sessionId: null, envelope: { total: 2 } },
    ]);
    await repos().eventOutbox.remove(
      [...(await completions(batchId)), ...(await completions(other))].map((e) => e.id),
    );
  });

  it('messages.cancelQueued(ids) handles more ids than one IN list, and skips non-queued', async () => {
    const sessionId = await newSession();
    const rows = await repos().messages.insertMany(Array.from({ length: 1_200 }, () => outbound(sessionId)));
    await repos().messages.updateStatus(rows[7]!.id, 'sent');
    const ids = [...rows.map((r) => r.id), rows[0]!.id, 'missing'];
    const cancelled = await repos().messages.cancelQueued({ ids });
    expect(cancelled).toHaveLength(1_199);
    expect(cancelled).not.toContain(rows[7]!.id);
    expect((await repos().messages.countByStatus(sessionId)).cancelled).toBe(1_199);
  });

  it('messages.listQueuedBefore pages outbound queued rows older than the cut-off, oldest first', async () => {
    const sessionId = await newSession();
    const base = new Date(Date.now() - 3_600_000);
    const old = await repos().messages.insertMany(
      Array.from({ length: 7 }, (_, i) => outbound(sessionId, { createdAt: new Date(base.getTime() + i) })),
    );
    await repos().messages.updateStatus(old[2]!.id, 'sending');
    await repos().messages.insert({
      ...outbound(sessionId, { createdAt: base }),
      direction: 'inbound',
      waMessageId: uniqueName('in'),
      status: 'queued',
    });
    const young = await repos().messages.insert(outbound(sessionId));
    const cutOff = new Date(Date.now() - 60_000);

    const seen: string[] = [];
    let afterId: string | null = null;
    // Other tests share the database: page through everything, keep this session's rows.
    for (;;) {
      const page = await repos().messages.listQueuedBefore(cutOff, 50, afterId);
      if (page.length === 0) break;
      seen.push(...page.filter((m) => m.sessionId === sessionId).map((m) => m.id));
      afterId = page.at(-1)!.id;
    }
    const expected = old.filter((_, i) => i !== 2).map((m) => m.id);
    expect(seen).toEqual(expected);
    expect(seen).not.toContain(young.id);
  });
}
