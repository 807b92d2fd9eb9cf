import { expect, it } from 'vitest';
import type { NewMessage } from '../../src/index.js';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

const JID = '5511999999999@s.whatsapp.net';

export function messagesContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;
  const newSession = async () => (await repos().sessions.create({ name: uniqueName('msg') })).id;
  const outbound = (sessionId: string, extra: Partial<NewMessage> = {}): NewMessage => ({
    sessionId,
    direction: 'outbound',
    remoteJid: JID,
    type: 'text',
    payload: { text: 'hello ✓', nested: { n: 1, list: [1, 'a'] } },
    ...extra,
  });

  it('messages.getByWaId finds a message by its WhatsApp id within its session only', async () => {
    const s1 = await repos().sessions.create({ name: uniqueName('wa1') });
    const s2 = await repos().sessions.create({ name: uniqueName('wa2') });
    const m = await repos().messages.insert({
      sessionId: s1.id,
      direction: 'outbound',
      waMessageId: '3EB0AAAABBBBCCCCDDDDEE',
      remoteJid: '15550001111@s.whatsapp.net',
      type: 'text',
      payload: { type: 'text', text: 'hi' },
    });
    expect((await repos().messages.getByWaId(s1.id, '3EB0AAAABBBBCCCCDDDDEE'))?.id).toBe(m.id);
    expect(await repos().messages.getByWaId(s2.id, '3EB0AAAABBBBCCCCDDDDEE')).toBeNull();
    expect(await repos().messages.getByWaId(s1.id, 'nope')).toBeNull();
  });

  it('messages.insert stores defaults and round-trips payload and dates', async () => {
    const sessionId = await newSession();
    const createdAt = new Date('2024-05-06T07:08:09.123Z');
    const m = await repos().messages.insert(outbound(sessionId, { createdAt, batchId: 'b1' }));
    expect(m).toMatchObject({ status: 'queued', attempts: 0, batchId: 'b1', waMessageId: null });
    expect(await repos().messages.getById(m.id)).toEqual(m);
    expect((await repos().messages.getById(m.id))?.createdAt.toISOString()).toBe(createdAt.toISOString());
    expect(await repos().messages.getById('missing')).toBeNull();
    const inbound = await repos().messages.insert({
      ...outbound(sessionId),
      direction: 'inbound',
      waMessageId: 'W1',
    });
    expect(inbound.status).toBe('received');
  });

  it('messages.updateStatus sets reason, attempts and the first matching timestamp', async () => {
    const sessionId = await newSession();
    const m = await repos().messages.insert(outbound(sessionId));
    expect((await repos().messages.updateStatus(m.id, 'sending'))?.attempts).toBe(1);
    const sent = await repos().messages.updateStatus(m.id, 'sent');
    expect(sent?.sentAt).toBeInstanceOf(Date);
    await new Promise((r) => setTimeout(r, 5));
    const again = await repos().messages.updateStatus(m.id, 'sent');
    expect(again?.sentAt?.getTime()).toBe(sent?.sentAt?.getTime());
    const delivered = await repos().messages.updateStatus(m.id, 'delivered');
    expect(delivered?.deliveredAt).toBeInstanceOf(Date);
    const played = await repos().messages.updateStatus(m.id, 'played');
    expect(played).toMatchObject({ status: 'played', statusReason: null });
    expect(played?.readAt).toBeInstanceOf(Date);
    const failed = await repos().messages.updateStatus(m.id, 'failed', 'number not on WhatsApp');
    expect(failed).toMatchObject({ status: 'failed', statusReason: 'number not on WhatsApp', attempts: 1 });
    expect(await repos().messages.updateStatus('missing', 'sent')).toBeNull();
  });

  it('messages.insertInboundIgnoringDuplicates dedupes on (session, wa_message_id)', async () => {
    const a = await newSession();
    const b = await newSession();
    const input = { ...outbound(a), direction: 'inbound' as const, waMessageId: 'WAID-1' };
    expect(await repos().messages.insertInboundIgnoringDuplicates(input)).toBe(true);
    expect(await repos().messages.insertInboundIgnoringDuplicates(input)).toBe(false);
    expect(await repos().messages.insertInboundIgnoringDuplicates({ ...input, sessionId: b })).toBe(true);
    const page = await repos().messages.listBySession({ sessionId: a, limit: 10 });
    expect(page.items).toHaveLength(1);
  });

  it('messages.insertMany writes 10,000 rows in one transaction', async () => {
    const sessionId = await newSession();
    const inputs = Array.from({ length: 10_000 }, (_, i) =>
      outbound(sessionId, { batchId: 'bulk', payload: { i } }),
    );
    const rows = await repos().messages.insertMany(inputs);
    expect(new Set(rows.map((r) => r.id)).size).toBe(10_000);
    expect((await repos().messages.countByStatus(sessionId)).queued).toBe(10_000);
    expect((await repos().messages.getById(rows[9_999]!.id))?.payload).toEqual({ i: 9_999 });
    expect(await repos().messages.insertMany([])).toEqual([]);
  });

  it('messages.insertMany is atomic: a bad last row leaves nothing written', async () => {
    const sessionId = await newSession();
    const inputs = Array.from({ length: 1_500 }, () => outbound(sessionId));
    inputs.push(outbound(sessionId, { remoteJid: null as unknown as string }));
    await expect(repos().messages.insertMany(inputs)).rejects.toThrow();
    expect((await repos().messages.listBySession({ sessionId, limit: 10 })).items).toEqual([]);
  });

  it('messages.listBySession pages newest first without gaps or repeats, and filters', async () => {
    const sessionId = await newSession();
    const base = Date.now() - 100_000;
    const inputs = Array.from({ length: 25 }, (_, i) =>
      outbound(sessionId, {
        createdAt: new Date(base + i * 1000),
        ...(i % 5 === 0
          ? { direction: 'inbound' as const, waMessageId: `in-${i}`, status: 'received' as const }
          : {}),
      }),
    );
    const inserted = await repos().messages.insertMany(inputs);
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const page = await repos().messages.listBySession({ sessionId, limit: 10, cursor });
      sizes.push(page.items.length);
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([10, 10, 5]);
    expect(seen).toEqual(inserted.map((m) => m.id).reverse());
    const inbound = await repos().messages.listBySession({ sessionId, direction: 'inbound', limit: 100 });
    expect(inbound.items).toHaveLength(5);
    const queued = await repos().messages.listBySession({ sessionId, status: 'queued', limit: 100 });
    expect(queued.items).toHaveLength(20);
    const window = await repos().messages.listBySession({
      sessionId,
      after: new Date(base + 9_500),
      before: new Date(base + 14_500),
      limit: 100,
    });
    expect(window.items).toHaveLength(5);
    expect(window.nextCursor).toBeNull();
  });

  it('messages.countByStatus per session and overall', async () => {
    const sessionId = await newSession();
    const [a] = await repos().messages.insertMany([outbound(sessionId), outbound(sessionId)]);
    await repos().messages.updateStatus(a!.id, 'failed', 'x');
    const counts = await repos().messages.countByStatus(sessionId);
    expect(counts).toMatchObject({ queued: 1, failed: 1, sent: 0 });
    expect(Object.keys(counts)).toHaveLength(9);
    const all = await repos().messages.countByStatus();
    expect(all.failed).toBeGreaterThanOrEqual(1);
    expect(all.queued).toBeGreaterThanOrEqual(counts.queued);
  });
}
