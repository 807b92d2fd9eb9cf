import { randomBytes, randomInt } from 'node:crypto';

/** `superadmin` is the creator, `admin` a promoted member; members have no role. */
export type GroupRole = 'superadmin' | 'admin' | null;

/** A WhatsApp user as groups name them: by LID (the group's addressing), with the phone number beside it. */
export interface GroupUser {
  /** `100200300400500@lid` */
  lid: string;
  /** `15550001111@s.whatsapp.net` */
  pn: string;
  name: string;
}

export interface GroupParticipant extends GroupUser {
  role: GroupRole;
}

/** One group as the server holds it. Times are unix seconds, as on the wire. */
export interface Group {
  /** `120363…@g.us` (new groups) or `<creator phone>-<seconds>@g.us` (old style). */
  readonly id: string;
  subject: string;
  subjectOwner: GroupUser;
  subjectTime: number;
  description?: { id: string; body: string; owner: GroupUser; time: number };
  readonly creator: GroupUser;
  readonly creation: number;
  /** By LID jid, in joining order. */
  readonly participants: Map<string, GroupParticipant>;
  /** Only admins send (`<announcement/>`). */
  announce: boolean;
  /** Only admins edit the group info (`<locked/>`, Baileys' `restrict`). */
  locked: boolean;
  /** Disappearing-message timer in seconds, 0 = off. */
  ephemeral: number;
  inviteCode: string;
}

export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** 22 url-safe characters, the length of real invite codes (`chat.whatsapp.com/<code>`). */
export function newInviteCode(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

/** Every group of the simulated WhatsApp, by id and by invite code. */
export class GroupStore {
  private readonly groups = new Map<string, Group>();

  /**
   * A new group with the creator as superadmin. New groups get WhatsApp's current `120363` + 12 digits
   * ids; `oldStyleId` gives the `<phone>-<seconds>` form groups created before 2021 still carry.
   */
  create(creator: GroupUser, subject: string, options: { oldStyleId?: boolean } = {}): Group {
    const creation = unixNow();
    let id: string;
    do {
      const digits = `${randomInt(1e6, 1e7 - 1)}${randomInt(1e5, 1e6 - 1)}`;
      id = options.oldStyleId
        ? `${creator.pn.split('@')[0]}-${creation}${randomInt(10, 99)}@g.us`
        : `120363${digits.slice(0, 12)}@g.us`;
    } while (this.groups.has(id));
    const group: Group = {
      id,
      subject,
      subjectOwner: creator,
      subjectTime: creation,
      creator,
      creation,
      participants: new Map([[creator.lid, { ...creator, role: 'superadmin' }]]),
      announce: false,
      locked: false,
      ephemeral: 0,
      inviteCode: newInviteCode(),
    };
    this.groups.set(id, group);
    return group;
  }

  /** By full id or its user part (`120363…`, as the server's answers spell it). */
  get(id: string): Group | undefined {
    return this.groups.get(id.includes('@') ? id : `${id}@g.us`);
  }

  byInviteCode(code: string): Group | undefined {
    for (const group of this.groups.values()) if (group.inviteCode === code) return group;
    return undefined;
  }

  /** Groups a user (LID jid) is a participant of. */
  participating(lid: string): Group[] {
    return [...this.groups.values()].filter((group) => group.participants.has(lid));
  }

  all(): Group[] {
    return [...this.groups.values()];
  }
}
