import { presenceJob, readMessagesJob } from '@wagw/queue';
import type { WASocket } from '@whiskeysockets/baileys';
import type { Job } from 'bullmq';
import { done, fail, hold, type JobOutcome, retry } from './job-outcome.js';

export interface ChatActionContext {
  sock: Pick<WASocket, 'readMessages' | 'sendPresenceUpdate'>;
  isOpen: () => boolean;
}

const CLOSED_PAUSE_MS = 1000;

/** Blue ticks: `sock.readMessages(keys)`. Waits (no attempt used) while the socket is not open. */
export async function processRead(job: Pick<Job, 'data'>, ctx: ChatActionContext): Promise<JobOutcome> {
  const parsed = readMessagesJob.safeParse(job.data);
  if (!parsed.success) return fail('invalid read job');
  if (!ctx.isOpen()) return hold(CLOSED_PAUSE_MS, 'session not open');
  try {
    await ctx.sock.readMessages(parsed.data.keys.map((key) => ({ ...key, fromMe: false })));
  } catch (err) {
    if (!ctx.isOpen()) return hold(CLOSED_PAUSE_MS, 'connection closed');
    return retry(err);
  }
  return done({ read: parsed.data.keys.length });
}

/** Typing/online indicator: `sock.sendPresenceUpdate(state, to)`. */
export async function processPresence(job: Pick<Job, 'data'>, ctx: ChatActionContext): Promise<JobOutcome> {
  const parsed = presenceJob.safeParse(job.data);
  if (!parsed.success) return fail('invalid presence job');
  if (!ctx.isOpen()) return hold(CLOSED_PAUSE_MS, 'session not open');
  try {
    await ctx.sock.sendPresenceUpdate(parsed.data.state, parsed.data.to);
  } catch (err) {
    if (!ctx.isOpen()) return hold(CLOSED_PAUSE_MS, 'connection closed');
    return retry(err);
  }
  return done({ state: parsed.data.state });
}
