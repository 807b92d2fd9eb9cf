import { z } from 'zod';

const dependency = z.enum(['connected', 'disconnected']);
const check = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });

export const healthResponse = z.object({
  status: z.enum(['ok', 'degraded', 'error']),
  timestamp: z.string(),
  uptime: z.number().describe('process uptime in seconds'),
  memory: z.object({ rss: z.number(), heapUsed: z.number(), heapTotal: z.number(), external: z.number() }),
  database: dependency,
  redis: dependency,
  checks: z.object({ database: check, redis: check }),
});

export const probeResponse = z.object({ status: z.enum(['ok', 'error']), reason: z.string().optional() });
