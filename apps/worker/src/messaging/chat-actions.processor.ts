import { presenceJob, readMessagesJob } from '@wagw/queue';
import type { WASocket } from '@whiskeysockets/baileys';
import { type Job, UnrecoverableError } from 'bullmq';

export interface ChatActionContext {
  sock: Pick<WASocket, 'readMessages' | 'sendPresenceUpdate'>;
  isOpen: () => boolean;
  hold: (ms: number, why: string) => Promise<never>;
}

const CLOSED_PAUSE_MS = 1000;

/** Blue ticks: `sock.readMessages(keys)`. Waits (no attempt used) while the socket is not open. */
export async function processRead(job: Job, ctx: ChatActionContext): Promise<{ read: number }> {
  const parsed = readMessagesJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('invalid read job');
  if (!ctx.isOpen()) return ctx.hold(CLOSED_PAUSE_MS, 'session not open');
  try {
    await ctx.sock.readMessages(parsed.data.keys.map((key) => ({ ...key, fromMe: false })));
  } catch (err) {
    if (!ctx.isOpen()) return ctx.hold(CLOSED_PAUSE_MS, 'connection closed');
    throw err;
  }
  return { read: parsed.data.keys.length };
}

/** Typing/online indicator: `sock.sendPresenceUpdate(state, to)`. */
export async function processPresence(job: Job, ctx: ChatActionContext): Promise<{ state: string }> {
  const parsed = presenceJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('invalid presence job');
  if (!ctx.isOpen()) return ctx.hold(CLOSED_PAUSE_MS, 'session not open');
  try {
    await ctx.sock.sendPresenceUpdate(parsed.data.state, parsed.data.to);
  } catch (err) {
    if (!ctx.isOpen()) return ctx.hold(CLOSED_PAUSE_MS, 'connection closed');
    throw err;
  }
  return { state: parsed.data.state };
}
