import type { Contact } from '@wagw/wa-sim';
import { type Gateway, startGateway } from './harness.js';
import { sessionPhone } from './messaging-fixtures.js';
import { startReceiver } from './webhook-receiver.js';

type Api = Awaited<ReturnType<Gateway['startApi']>>;

/** A group as the API shows it (docs/groups.md), the fields the end-to-end test reads. */
export interface GroupView {
  id: string;
  subject: string;
  size: number;
  participants: Array<{ jid: string; phoneJid: string | null; lid: string | null; admin: string | null }>;
}

/**
 * One worker and one API process on the simulator, a linked open session with a webhook receiver
 * for its `message.received` and `group.*` events, and four simulated peers.
 */
export async function startGroupsGateway() {
  // Sends unpaced: the default pacing (20 a minute, up to 1.5 s jitter) would only slow the test down.
  const gw = await startGateway({ workerEnv: { SEND_RATE_PER_MINUTE: '600', SEND_JITTER_MS: '0' } });
  try {
    return await linkSession(gw);
  } catch (err) {
    await gw.close();
    throw err;
  }
}

async function linkSession(gw: Gateway) {
  const [api] = await Promise.all([gw.startApi(), gw.startWorker('w1')]);
  const session = await gw.createSession('groups', { linked: true });
  await gw.waitForStatus(session.id, 'open', 30_000);
  const phone = await sessionPhone(gw, session.id);
  const account = gw.sim.world.account(phone);
  if (!account) throw new Error(`no simulated account for ${phone}`);
  const receiver = await startReceiver();
  const hook = await api.call('POST', `/api/sessions/${session.id}/webhooks`, {
    url: receiver.url,
    events: ['message.received', 'group.*'],
  });
  if (hook.status !== 201) throw new Error(`webhook not created: ${hook.status} ${await hook.text()}`);
  const peer = (n: number, name: string) => gw.sim.messaging.addContact({ phone: `1555710000${n}`, name });
  return {
    gw,
    api,
    sessionId: session.id,
    /** The session's account: its phone (device 0, played by the simulator) is a member device too. */
    account,
    receiver,
    peers: { carol: peer(1, 'Carol'), dave: peer(2, 'Dave'), erin: peer(3, 'Erin'), frank: peer(4, 'Frank') },
    async close() {
      await receiver.stop();
      await gw.close();
    },
  };
}

export type GroupsGateway = Awaited<ReturnType<typeof linkSession>>;

/** Every device of a simulated peer, as the simulator's group log names recipients (LID device jids). */
export function devicesOf(peer: Contact): string[] {
  return [...peer.devices.keys()].map((id) => peer.deviceJid(id, 'lid'));
}

/** A JSON call that must answer `status`; resolves with the body. */
async function expectJson<T>(api: Api, status: number, method: string, path: string, body?: unknown) {
  const res = await api.call(method, path, body);
  const text = await res.text();
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} (wanted ${status}) ${text}`);
  return JSON.parse(text) as T;
}

/** Calls bound to the gateway: JSON answers, refusals as [status, code], webhook envelopes. */
export function groupsClient(t: GroupsGateway) {
  return {
    json: <T = Record<string, unknown>>(status: number, method: string, path: string, body?: unknown) =>
      expectJson<T>(t.api, status, method, path, body),
    async refusal(method: string, path: string, body?: unknown): Promise<[number, string]> {
      const res = await t.api.call(method, path, body);
      return [res.status, ((await res.json()) as { code: string }).code];
    },
    /** The webhook envelope of an event whose data matches, once it arrived. */
    webhook<D>(event: string, match: (data: D) => boolean) {
      return t.gw.waitFor(`a ${event} webhook`, async () => {
        const found = t.receiver.events().find((e) => e.event === event && match(e.data as D));
        return found && { ...found, data: found.data as D & Record<string, unknown> };
      });
    },
  };
}
