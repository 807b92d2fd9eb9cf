/** One message of a simulated account's history. */
export interface HistoryMessage {
  /** True for a message the account sent (from any of its devices), false for one it received. */
  fromMe: boolean;
  text: string;
  /** When it was sent: a Date or epoch milliseconds. */
  at: Date | number;
  /** Message id. Default a fresh phone-style id (`3A…`). */
  id?: string;
}

/** A 1:1 chat in the account's history, as the phone's chat list holds it. */
export interface HistoryChat {
  /** The other side: phone digits, `+digits` or a PN jid. Its LID is added when the simulator knows it. */
  with: string;
  /** The name the account saved for the contact (becomes Baileys' contact `name`). */
  name?: string;
  unreadCount?: number;
  archived?: boolean;
  pinned?: boolean;
  /** Muted until this time (Date or epoch ms); -1 mutes for ever, as WhatsApp encodes it. */
  mutedUntil?: Date | number;
  /** Any order; they are sent newest first, as the phone sends them. */
  messages?: HistoryMessage[];
}

/** What an account's phone sends a newly linked companion (`sim.history.set(phone, history)`). */
export interface AccountHistory {
  chats: HistoryChat[];
  /** Push names the phone knows (phone digits → name): sent as a `PUSH_NAME` chunk after the chats. */
  pushNames?: Record<string, string>;
}
