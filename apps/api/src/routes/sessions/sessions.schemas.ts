import { DESIRED_STATES, SESSION_COMMANDS, SESSION_STATUSES } from '@wagw/db';
import { z } from 'zod';

export const sessionView = z.object({
  id: z.string(),
  name: z.string(),
  desiredState: z.enum(DESIRED_STATES),
  status: z.enum(SESSION_STATUSES),
  statusReason: z.string().nullable(),
  lastDisconnectCode: z.number().nullable(),
  statusChangedAt: z.string(),
  reconnectAttempts: z.number(),
  ownerWorkerId: z.string().nullable(),
  pendingCommand: z.enum(SESSION_COMMANDS).nullable(),
  /** Who the session is logged in as; null until it has been paired. */
  me: z.object({ jid: z.string(), lid: z.string().nullable(), pushName: z.string().nullable() }).nullable(),
  settings: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SessionView = z.infer<typeof sessionView>;

export const listSessionsQuery = z.object({
  status: z.enum(SESSION_STATUSES).optional(),
});

export const listSessionsResponse = z.object({ items: z.array(sessionView) });

// Known settings are checked (a typo in pacing should be a 400, not a silently ignored key);
// unknown keys pass through because SessionSettings is open for worker features to come.
const sessionSettings = z.looseObject({
  pacing: z
    .object({
      minDelayMs: z.number().int().min(0).optional(),
      maxDelayMs: z.number().int().min(0).optional(),
      perMinute: z.number().int().min(1).optional(),
    })
    .optional(),
  webhooks: z
    .object({
      inbound: z.boolean().optional(),
      statuses: z.boolean().optional(),
      sessionEvents: z.boolean().optional(),
    })
    .optional(),
});

export const createSessionBody = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9 _.-]{1,64}$/, 'expected 1-64 letters, digits, spaces, _ . or -')
    .refine((name) => name.trim() !== '', 'name must not be blank'),
  /** Default true: most callers create a session in order to pair it right away. */
  start: z.boolean().default(true),
  settings: sessionSettings.optional(),
});
export type CreateSessionInput = z.infer<typeof createSessionBody>;

export const sessionEventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const sessionEventView = z.object({
  id: z.string(),
  fromStatus: z.enum(SESSION_STATUSES).nullable(),
  toStatus: z.enum(SESSION_STATUSES),
  reason: z.string().nullable(),
  disconnectCode: z.number().nullable(),
  workerId: z.string().nullable(),
  createdAt: z.string(),
});

export const sessionEventsResponse = z.object({ items: z.array(sessionEventView) });
