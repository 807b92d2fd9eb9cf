import { expect, it } from 'vitest';
import type { NewMessage, OutboxEvent } from '../../src/index.js';
import type { ContractContext } from './contract-context.js';
import { uniqueName } from './contract-context.js';

const JID = '5511999999999@s.whatsapp.net';

/** Events committed with the change they announce, and the relay's claims on them. */
export function eventOutboxContract(ctx: ContractContext) {
  const repos = () => ctx.db.repos;
  const newSession = async () => (await repos().sessions.create({ name: uniqueName('outbox') })).id;
  const event = (id: string, sessionId: string): OutboxEvent => ({
    id,
    sessionId,
    envelope: { id, event: 'message.received', sessionId, data: { n: 1 } },
  });
  const inbound = (sessionId: string, waMessageId: string): NewMessage & { waMessageId: string } => ({
    sessionId,
    direction: 'inbound',
    remoteJid: JID,
    waMessageId,
    type: 'text',
    payload: { text: 'hi' },
  });
  // Everything any test of this file wrote is old once the clock passes it.
  const future = () => new Date(Date.now() + 60_000);
  const drain = async () => {
    const all = await repos().eventOutbox.claimStale(future(), 1, 10_000);
    await repos().eventOutbox.remove(all.map((e) => e.id));
  };

  it('an inbound insert writes its event in the same commit; a duplicate writes neither', async () => {
    await drain();
    const sessionId = await newSession();
    const id = uniqueName('ev');
    expect(
      await repos().messages.insertInboundIgnoringDuplicates(inbound(sessionId, 'W1'), {
        event: event(id, sessionId),
      }),
    ).toBe(true);
    expect(
      await repos().messages.insertInboundIgnoringDuplicates(inbound(sessionId, 'W1'), {
        event: event(uniqueName('dup'), sessionId),
      }),
    ).toBe(false);
    const claimed = await repos().eventOutbox.claimStale(future(), 30_000, 100);
    expect(claimed.map((e) => e.id)).toEqual([id]);
    expect(claimed[0]?.envelope).toMatchObject({ id, event: 'message.received', data: { n: 1 } });
    await repos().eventOutbox.remove([id]);
  });

  it('a status update writes its event built from the updated row; a lost compare-and-set writes none', async () => {
    await drain();
    const sessionId = await newSession();
    const row = await repos().messages.insert({
      sessionId,
      direction: 'outbound',
      remoteJid: JID,
      type: 'text',
      payload: { text: 'x' },
    });
    const updated = await repos().messages.updateStatus(row.id, 'sent', null, {
      expectedFrom: 'queued',
      event: (m) => ({ id: `status-${m.id}`, sessionId, envelope: { status: m.status } }),
    });
    expect(updated?.status).toBe('sent');
    const lost = await repos().messages.updateStatus(row.id, 'read', null, {
      expectedFrom: 'queued',
      event: () => event(uniqueName('never'), sessionId),
    });
    expect(lost).toBeNull();
    const claimed = await repos().eventOutbox.claimStale(future(), 30_000, 100);
    expect(claimed).toEqual([{ id: `status-${row.id}`, sessionId, envelope: { status: 'sent' } }]);
    await repos().eventOutbox.remove([`status-${row.id}`]);
  });

  it('chat changes write their events built from the stored rows, in the same commit', async () => {
    await drain();
    const sessionId = await newSession();
    const rows = await repos().chats.applyMany(
      sessionId,
      [
        { jid: JID, name: 'Bob', unread: { add: 1 } },
        { jid: JID, unread: { add: 1 } },
      ],
      {
        events: (stored) =>
          stored.map((c) => ({ id: `chat-${c.jid}`, sessionId, envelope: { unread: c.unreadCount } })),
      },
    );
    expect(rows.map((c) => c.unreadCount)).toEqual([2]);
    const claimed = await repos().eventOutbox.claimStale(future(), 30_000, 100);
    expect(claimed).toEqual([{ id: `chat-${JID}`, sessionId, envelope: { unread: 2 } }]);
    await repos().eventOutbox.remove([`chat-${JID}`]);
    // Events that cannot be built undo the chats too: no change is stored unannounced.
    await expect(
      repos().chats.applyMany(sessionId, [{ jid: JID, unread: { add: 5 } }], {
        events: () => {
          throw new Error('no events');
        },
      }),
    ).rejects.toThrow('no events');
    expect((await repos().chats.get(sessionId, JID))?.unreadCount).toBe(2);
    expect(await repos().eventOutbox.claimStale(future(), 30_000, 100)).toEqual([]);
  });

  it('group changes write their events in the same commit; a removal writes its events either way', async () => {
    await drain();
    const sessionId = await newSession();
    const group = { jid: '1@g.us', subject: 'One', metadata: { subject: 'One' } };
    await repos().groups.upsertMany(sessionId, [group], { events: [event('g-joined', sessionId)] });
    expect(await repos().groups.remove(sessionId, '1@g.us', { events: [event('g-left', sessionId)] })).toBe(
      true,
    );
    expect(await repos().groups.remove(sessionId, '1@g.us', { events: [event('g-again', sessionId)] })).toBe(
      false,
    );
    const claimed = await repos().eventOutbox.claimStale(future(), 30_000, 100);
    expect(claimed.map((e) => e.id).sort()).toEqual(['g-again', 'g-joined', 'g-left']);
    await repos().eventOutbox.remove(claimed.map((e) => e.id));
    // A group that cannot be stored (no subject) takes its event with it.
    await expect(
      repos().groups.upsertMany(sessionId, [{ ...group, subject: null as unknown as string }], {
        events: [event('g-never', sessionId)],
      }),
    ).rejects.toThrow();
    expect(await repos().eventOutbox.claimStale(future(), 30_000, 100)).toEqual([]);
  });

  it('contact changes build their events from the rows before and after, read in the write', async () => {
    await drain();
    const sessionId = await newSession();
    const seen: Array<{ before: string[]; after: string[] }> = [];
    const names = (rows: Array<{ jid: string; name: string | null }>) =>
      rows.map((r) => `${r.jid}=${r.name}`);
    const written = await repos().contacts.upsertMany(sessionId, [{ jid: JID, lid: '99@lid', name: 'Bob' }], {
      events: (before, after) => {
        seen.push({ before: names(before), after: names(after) });
        return after.map((c) => ({ id: `contact-${c.name}`, sessionId, envelope: { name: c.name } }));
      },
    });
    await repos().contacts.upsertMany(sessionId, [{ jid: JID, name: 'Robert' }], {
      events: (before, after) => {
        seen.push({ before: names(before), after: names(after) });
        return [];
      },
    });
    expect(seen).toEqual([
      { before: [], after: [`${JID}=Bob`] },
      { before: [`${JID}=Bob`], after: [`${JID}=Robert`] },
    ]);
    expect(written).toEqual([{ id: 'contact-Bob', sessionId, envelope: { name: 'Bob' } }]);
    const claimed = await repos().eventOutbox.claimStale(future(), 30_000, 100);
    expect(claimed).toEqual(written);
    await repos().eventOutbox.remove(['contact-Bob']);
    // Without `events` nothing is read or written to the outbox.
    expect(await repos().contacts.upsertMany(sessionId, [{ jid: JID, name: 'Rob' }])).toEqual([]);
    expect(await repos().eventOutbox.count()).toBe(0);
  });

  it('add writes events that announce no stored change, once per id', async () => {
    await drain();
    const sessionId = await newSession();
    await repos().eventOutbox.add([event('news-1', sessionId), event('news-2', sessionId)]);
    await repos().eventOutbox.add([event('news-1', sessionId)]);
    await repos().eventOutbox.add([]);
    const claimed = await repos().eventOutbox.claimStale(future(), 30_000, 100);
    expect(claimed.map((e) => e.id).sort()).toEqual(['news-1', 'news-2']);
    await repos().eventOutbox.remove(['news-1', 'news-2']);
  });

  it('a session transition writes its event from the row after and the status before; a refused one writes none', async () => {
    await drain();
    const sessionId = await newSession();
    const opened = await repos().sessions.transitionStatus(sessionId, {
      to: 'open',
      reason: 'connected',
      expectedOwner: { workerId: null, generation: 0 },
      event: (s, previous) => ({
        id: `session-${s.id}`,
        sessionId: s.id,
        envelope: { status: s.status, previous, reason: s.statusReason },
      }),
    });
    expect(opened?.status).toBe('open');
    // Fenced by a lease generation the row does not hold: no change, so nothing to announce.
    const refused = await repos().sessions.transitionStatus(sessionId, {
      to: 'conflict',
      expectedOwner: { workerId: 'w-old', generation: 7 },
      event: () => event(uniqueName('never'), sessionId),
    });
    expect(refused).toBeNull();
    const claimed = await repos().eventOutbox.claimStale(future(), 30_000, 100);
    expect(claimed).toEqual([
      {
        id: `session-${sessionId}`,
        sessionId,
        envelope: { status: 'open', previous: 'stopped', reason: 'connected' },
      },
    ]);
    await repos().eventOutbox.remove([`session-${sessionId}`]);
  });

  it('claims only events older than the grace, oldest first, each once while claimed, again after', async () => {
    await drain();
    const sessionId = await newSession();
    for (const w of ['A', 'B', 'C']) {
      await repos().messages.insertInboundIgnoringDuplicates(inbound(sessionId, w), {
        event: event(`claim-${w}-${sessionId}`, sessionId),
      });
    }
    expect(await repos().eventOutbox.claimStale(new Date(Date.now() - 60_000), 30_000, 100)).toEqual([]);
    const first = await repos().eventOutbox.claimStale(future(), 200, 2);
    expect(first).toHaveLength(2);
    const second = await repos().eventOutbox.claimStale(future(), 200, 10);
    expect(second.map((e) => e.id)).toEqual([`claim-C-${sessionId}`]);
    expect(await repos().eventOutbox.claimStale(future(), 200, 10)).toEqual([]);
    // A relay that died holding them: the claim ends and the next run takes them again.
    await new Promise((r) => setTimeout(r, 250));
    expect(await repos().eventOutbox.claimStale(future(), 30_000, 10)).toHaveLength(3);
    await repos().eventOutbox.remove([...first, ...second].map((e) => e.id));
    expect(await repos().eventOutbox.count()).toBe(0);
  });
}
