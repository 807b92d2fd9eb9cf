import { expect, it } from 'vitest';
import type { NewMessage } from '../../src/index.js';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

const JID = '5511999999999@s.whatsapp.net';
const MINUTE = 60_000;

export function messageCountsContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;
  const newSession = async () => (await repos().sessions.create({ name: uniqueName('counts') })).id;
  let seq = 0;
  const message = (sessionId: string, direction: NewMessage['direction'], createdAt?: Date): NewMessage => {
    seq += 1;
    return {
      sessionId,
      direction,
      waMessageId: `COUNT${process.pid}X${seq}`,
      remoteJid: JID,
      type: 'text',
      payload: { text: `n${seq}` },
      ...(createdAt ? { createdAt } : {}),
    };
  };
  const sentMessage = async (sessionId: string) => {
    const row = await repos().messages.insert(message(sessionId, 'outbound'));
    await repos().messages.updateStatus(row.id, 'sending');
    return repos().messages.updateStatus(row.id, 'sent');
  };
  const totalSent = async (since: Date, until: Date) =>
    (await repos().messages.countPerMinute(since, until)).reduce((sum, m) => sum + m.sent, 0);

  it('messages.countPerMinute buckets inbound messages by created_at minute, until excluded', async () => {
    // A period of its own (2001): the contract's other tests write no messages there.
    const since = new Date('2001-02-03T04:05:00.000Z');
    const until = new Date('2001-02-03T04:10:00.000Z');
    const a = await newSession();
    const b = await newSession();
    const at = (iso: string) => new Date(`2001-02-03T${iso}Z`);
    for (const [sessionId, createdAt] of [
      [a, at('04:05:00.000')],
      [a, at('04:05:59.999')],
      [b, at('04:05:30.000')],
      [b, at('04:07:10.000')],
      [a, at('04:04:59.999')], // before `since`
      [a, at('04:10:00.000')], // at `until`: excluded
    ] as const) {
      await repos().messages.insert(message(sessionId, 'inbound', createdAt));
    }
    // Outbound rows created in the period but never sent are not throughput.
    await repos().messages.insert(message(a, 'outbound', at('04:06:00.000')));
    expect(await repos().messages.countPerMinute(since, until)).toEqual([
      { minute: at('04:05:00.000'), sent: 0, received: 3 },
      { minute: at('04:07:00.000'), sent: 0, received: 1 },
    ]);
    expect(await repos().messages.countPerMinute(until, new Date(until.getTime() + MINUTE))).toEqual([
      { minute: at('04:10:00.000'), sent: 0, received: 1 },
    ]);
  });

  it('messages.countPerMinute counts outbound messages by the minute they were sent', async () => {
    const sessionId = await newSession();
    const since = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE);
    const until = new Date(since.getTime() + 5 * MINUTE);
    const before = await totalSent(since, until);
    const sent = await Promise.all([sentMessage(sessionId), sentMessage(sessionId)]);
    // Claimed but not sent, and failed before being sent: neither counts.
    const sending = await repos().messages.insert(message(sessionId, 'outbound'));
    await repos().messages.updateStatus(sending.id, 'sending');
    const failed = await repos().messages.insert(message(sessionId, 'outbound'));
    await repos().messages.updateStatus(failed.id, 'failed', 'nope');
    // Delivered later keeps counting once, in the minute it was sent.
    await repos().messages.updateStatus(sent[0]!.id, 'delivered');
    expect(await totalSent(since, until)).toBe(before + 2);
    const minutes = await repos().messages.countPerMinute(since, until);
    const sentAt = sent[1]!.sentAt!.getTime();
    const own = minutes.find((m) => m.minute.getTime() === Math.floor(sentAt / MINUTE) * MINUTE);
    expect(own?.sent).toBeGreaterThanOrEqual(1);
    for (const m of minutes) expect(m.minute.getTime() % MINUTE).toBe(0);
  });

  it("messages.countSince counts one session's sent and received messages from `since` on", async () => {
    const sessionId = await newSession();
    const other = await newSession();
    const now = Date.now();
    await sentMessage(sessionId);
    await sentMessage(sessionId);
    await repos().messages.insert(message(sessionId, 'outbound')); // queued: not sent
    await repos().messages.insert(message(sessionId, 'inbound', new Date(now - 60 * MINUTE)));
    await repos().messages.insert(message(sessionId, 'inbound', new Date(now - 1000)));
    await repos().messages.insert(message(sessionId, 'inbound', new Date(now - 25 * 60 * MINUTE))); // too old
    await sentMessage(other);
    await repos().messages.insert(message(other, 'inbound', new Date(now - 1000)));
    const since = new Date(now - 24 * 60 * MINUTE);
    expect(await repos().messages.countSince(sessionId, since)).toEqual({ sent: 2, received: 2 });
    expect(await repos().messages.countSince(other, since)).toEqual({ sent: 1, received: 1 });
    expect(await repos().messages.countSince('no-such-session', since)).toEqual({ sent: 0, received: 0 });
  });
}
