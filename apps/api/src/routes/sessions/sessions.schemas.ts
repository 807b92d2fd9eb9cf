import { DESIRED_STATES, SESSION_STATUSES } from '@wagw/db';
import { z } from 'zod';

export const sessionView = z.object({
  id: z.string(),
  name: z.string(),
  desiredState: z.enum(DESIRED_STATES),
  status: z.enum(SESSION_STATUSES),
  statusReason: z.string().nullable(),
  lastDisconnectCode: z.number().nullable(),
  statusChangedAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const listSessionsQuery = z.object({
  status: z.enum(SESSION_STATUSES).optional(),
});

export const listSessionsResponse = z.object({ items: z.array(sessionView) });
