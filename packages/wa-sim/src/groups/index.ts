import type { Messaging } from '../messaging/messaging.js';
import type { WaSimulator } from '../wa-simulator.js';
import { installGroupIqs } from './group-iqs.js';
import { GroupLog } from './group-log.js';
import { GroupMembers } from './group-members.js';
import { GroupStore } from './group-model.js';
import { GroupOps } from './group-ops.js';
import { GroupRelay } from './group-relay.js';
import { Groups } from './groups.js';
import { PeerGroupSender } from './peer-group-send.js';
import { PeerSenderKeys } from './peer-sender-keys.js';

export type { GroupDelivery, GroupNotificationRecord, GroupRetryRecord } from './group-log.js';
export type { Group, GroupParticipant, GroupRole, GroupUser } from './group-model.js';
export type { ParticipantAction, ParticipantResult } from './group-ops.js';
export type { Groups, UserRef } from './groups.js';
export type { GroupSent, PeerGroupSendOptions } from './peer-group-send.js';

/** What groups need from the simulator. */
type GroupsHost = Pick<WaSimulator, 'world' | 'router'>;

/**
 * Installs groups (the `w:g2` IQs, `w:gp2` notifications, sender-key group messages both ways, retries)
 * through `sim.router`, on top of messaging's peers and delivery, and returns `sim.groups`.
 */
export function installGroups(host: GroupsHost, messaging: Messaging): Groups {
  const log = new GroupLog();
  const keys = new PeerSenderKeys();
  const ops = new GroupOps(
    new GroupStore(),
    new GroupMembers(host.world, messaging.directory),
    messaging,
    log,
  );
  const relay = new GroupRelay(ops, keys, log, messaging);
  const sender = new PeerGroupSender(ops, keys, log, messaging, host.world);
  ops.onRemoved = (group, removed) => sender.rotate(group, removed);
  installGroupIqs(host.router, ops, log);
  host.router.onStanza('message', (conn, node) => relay.onClientMessage(conn, node));
  host.router.onStanza('receipt', async (conn, node) => {
    const requester = conn.companion;
    if (node.attrs.type !== 'retry' || !node.attrs.to?.endsWith('@g.us') || !requester) return;
    // The message came from another session: route the receipt to it, `participant` naming the requester.
    const origin = host.world.companions().find((c) => c.lid === node.attrs.participant);
    if (!origin) return sender.answerRetry(requester.jid, node);
    const { to, ...rest } = node.attrs;
    const attrs: Record<string, string> = { ...rest, from: to, participant: requester.lid };
    await messaging.deliver(origin, { ...node, attrs });
  });
  return new Groups(ops, sender, keys, log);
}
