import type { OutboxEvent } from '@wagw/db';
import type { Logger } from '@wagw/logger';
import {
  createEvent,
  type GatewayEvent,
  type GroupMetadataView,
  publishEvent,
  type RedisConnection,
} from '@wagw/queue';
import {
  type BaileysEventMap,
  type GroupMetadata,
  jidNormalizedUser,
  type WASocket,
} from '@whiskeysockets/baileys';
import type { SessionRunnerDeps } from '../sessions/session-runner.js';
import type { GroupStore } from './group-store.js';
import { toGroupView } from './group-view.js';

type Handlers = Partial<{ [K in keyof BaileysEventMap]: (arg: BaileysEventMap[K]) => Promise<void> }>;

/** Who a participant is, as events name them: the phone JID when known, else the LID. */
function who(p: { id: string; phoneNumber?: string }): string {
  return p.phoneNumber ?? p.id;
}

/**
 * Keeps one session's stored group metadata current from Baileys' group events, and announces them
 * as gateway events (group.joined, group.left, group.updated, group.participants) on the shared
 * stream, whence the SSE stream and webhooks take them. A change whose details Baileys does not
 * carry (who is admin now, say) is refetched from WhatsApp once, so the stored copy is whole.
 * Each change's events are written to the event outbox in the same transaction as the group (or
 * alone, when nothing is stored), then published: a crash or a Redis outage after the commit
 * leaves them to the relay. A group event never stops the session: when the database refuses the
 * write, its events are published straight away (the one case that stays best effort).
 */
export function createGroupEvents(deps: {
  sessionId: string;
  store: GroupStore;
  /** Writes events that come with no stored change (the group could not be refetched). */
  addEvents: (events: readonly OutboxEvent[]) => Promise<void>;
  /** Publishes an event the outbox holds (its row goes once the stream has it). */
  publishStored: (event: OutboxEvent) => Promise<void>;
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
}) {
  const { sessionId, logger } = deps;
  let sock: WASocket | undefined;

  const event = (name: string, data: Record<string, unknown>): OutboxEvent => {
    const envelope = createEvent(name, sessionId, data);
    return { id: envelope.id, sessionId, envelope: envelope as unknown as Record<string, unknown> };
  };

  /** Writes `events` with `write` (which stores them with its change), then publishes them. */
  async function announce(
    events: OutboxEvent[],
    write: (events: OutboxEvent[]) => Promise<unknown>,
  ): Promise<void> {
    try {
      await write(events);
    } catch (err) {
      logger.warn({ err, sessionId, events: events.length }, 'storing a group change failed');
      for (const e of events) {
        await publishEvent(deps.redis, deps.prefix, e.envelope as unknown as GatewayEvent).catch((err) =>
          logger.warn({ err, sessionId, event: e.envelope.event }, 'publishing a group event failed'),
        );
      }
      return;
    }
    for (const e of events) await deps.publishStored(e);
  }

  /** Saved with the events when the group is known, else the events alone. */
  const withGroup = (group: GroupMetadataView | undefined) => (events: OutboxEvent[]) =>
    group ? deps.store.saved(sessionId, [group], events) : deps.addEvents(events);

  async function refetch(groupJid: string): Promise<GroupMetadataView | undefined> {
    if (!sock) return undefined;
    try {
      return toGroupView(await sock.groupMetadata(groupJid));
    } catch (err) {
      logger.debug({ err, sessionId, groupJid }, 'group metadata refetch failed');
      return undefined;
    }
  }

  /**
   * Who made a change, by phone JID when known. Baileys passes a notification's `participant_pn` on
   * only for a group's creation: its stub message's key (a protobuf without `participantAlt`) drops
   * it for every other change, leaving `author` a LID. The phone JID is then the member's in the
   * group (as stored before the change, or refetched after it), else Baileys' LID mapping.
   */
  async function actor(
    change: { author?: string; authorPn?: string },
    ...groups: Array<GroupMetadataView | undefined>
  ): Promise<string | null> {
    const { author, authorPn } = change;
    if (authorPn) return authorPn;
    if (!author?.endsWith('@lid')) return author ?? null;
    for (const group of groups) {
      const member = group?.participants.find((p) => p.lid === author && p.phoneJid);
      if (member?.phoneJid) return member.phoneJid;
    }
    const pn = await sock?.signalRepository.lidMapping.getPNForLID(author).catch(() => null);
    return pn ? jidNormalizedUser(pn) : author;
  }

  function isMe(p: { id: string; phoneNumber?: string; lid?: string }): boolean {
    const me = sock?.user;
    if (!me) return false;
    const bare = (jid: string | undefined) => jid?.replace(/:\d+@/, '@');
    const mine = new Set([bare(me.id), bare(me.lid)]);
    return [p.id, p.phoneNumber, p.lid].some((jid) => jid !== undefined && mine.has(bare(jid)));
  }

  const handlers: Handlers = {
    'groups.upsert': async (groups: GroupMetadata[]) => {
      const views = groups.map(toGroupView);
      const events = views.map((view, i) =>
        event('group.joined', {
          groupId: view.id,
          by: groups[i]?.authorPn ?? groups[i]?.author ?? null,
          group: view,
        }),
      );
      await announce(events, (list) => deps.store.saved(sessionId, views, list));
    },

    'groups.update': async (updates: Partial<GroupMetadata>[]) => {
      for (const update of updates) {
        if (!update.id) continue;
        // A full listing (groupFetchAllParticipating, on connect) carries participants: store it as is.
        if (Array.isArray(update.participants) && update.subject !== undefined) {
          await deps.store.saved(sessionId, [toGroupView(update as GroupMetadata)]).catch(() => undefined);
          continue;
        }
        const group = await refetch(update.id);
        const changes: Record<string, unknown> = {};
        if (update.subject !== undefined) changes.subject = update.subject;
        if (update.desc !== undefined) changes.description = update.desc ?? null;
        if (update.announce !== undefined) changes.announce = update.announce;
        if (update.restrict !== undefined) changes.locked = update.restrict;
        if (update.ephemeralDuration !== undefined)
          changes.ephemeralSeconds = update.ephemeralDuration || null;
        if (update.inviteCode !== undefined) changes.inviteLinkChanged = true;
        const by = await actor(update, group);
        const updated = event('group.updated', {
          groupId: update.id,
          by,
          changes,
          ...(group ? { group } : {}),
        });
        await announce([updated], withGroup(group));
      }
    },

    'group-participants.update': async (update) => {
      const { id, participants, action } = update;
      const left = action === 'remove' && participants.some(isMe);
      const named = participants.map(who);
      if (left) {
        const before = await deps.store.view(sessionId, id).catch(() => undefined);
        const by = await actor(update, before);
        // Removed by someone else, rather than left: the author is none of those who went.
        const forms = (p: (typeof participants)[number]) => [p.id, p.phoneNumber, p.lid];
        const self = participants.some((p) =>
          forms(p).some((jid) => jid && [update.author, by].includes(jid)),
        );
        const events = [
          event('group.participants', { groupId: id, action, participants: named, by }),
          event('group.left', { groupId: id, by, removed: by !== null && !self }),
        ];
        await announce(events, (list) => deps.store.left(sessionId, id, list));
        return;
      }
      const group = await refetch(id);
      const by = await actor(update, group);
      const events = [
        ...(action === 'add' && participants.some(isMe)
          ? [event('group.joined', { groupId: id, by, ...(group ? { group } : {}) })]
          : []),
        event('group.participants', {
          groupId: id,
          action,
          participants: named,
          by,
          ...(group ? { group } : {}),
        }),
      ];
      await announce(events, withGroup(group));
    },
  };

  return {
    handlers,
    opened(opened: WASocket) {
      sock = opened;
    },
    closed() {
      sock = undefined;
    },
  };
}

type RunnerMessaging = NonNullable<SessionRunnerDeps['messaging']>;

/** A session's messaging with its group events added: both see every socket open and close. */
export function withGroupEvents(
  messaging: RunnerMessaging,
  groups: ReturnType<typeof createGroupEvents>,
): RunnerMessaging {
  const handlers: Record<string, (arg: never) => Promise<void> | void> = { ...messaging.handlers };
  for (const [event, handler] of Object.entries(groups.handlers)) {
    const before = handlers[event];
    handlers[event] = before
      ? async (arg: never) => {
          await before(arg);
          await (handler as (a: never) => Promise<void>)(arg);
        }
      : (handler as (a: never) => Promise<void>);
  }
  return {
    ...messaging,
    handlers: handlers as RunnerMessaging['handlers'],
    opened: async (sock) => {
      groups.opened(sock);
      await messaging.opened(sock);
    },
    closed: async () => {
      groups.closed();
      await messaging.closed();
    },
  };
}
