import { z } from 'zod';

export const eventsQuery = z.object({
  sessionId: z.string().min(1).max(128).optional().describe('only events of this session'),
  event: z
    .string()
    .max(1000)
    .optional()
    .describe('comma-separated event names, e.g. session.status,message.received'),
});

/** Redis stream ids, `<ms>-<seq>`; anything else in Last-Event-ID is a client bug, not a resume point. */
const streamId = /^\d{1,20}-\d{1,20}$/;

export const eventsHeaders = z.object({
  'last-event-id': z
    .string()
    .regex(streamId, 'expected a stream id such as 1700000000000-0')
    .optional()
    .describe('resume after this event (sent by EventSource on reconnect)'),
});
