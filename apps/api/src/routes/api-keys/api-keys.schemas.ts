import { z } from 'zod';

export const createApiKeyBody = z.object({
  name: z.string().trim().min(1).max(100).describe('what the key is for, e.g. "crm integration"'),
  sessionId: z
    .string()
    .min(1)
    .max(128)
    .nullable()
    .describe('the only session the key may act on; null creates another admin key'),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyBody>;

export const createdApiKey = z.object({
  id: z.string(),
  key: z.string().describe('the key itself: shown this once, only its sha256 is stored'),
  prefix: z.string().describe('the first characters of the key, to recognise it in listings'),
  sessionId: z.string().nullable(),
});

export const apiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  sessionId: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable().describe('updated at most once a minute'),
  revokedAt: z.string().nullable(),
});

export const listApiKeysQuery = z.object({
  sessionId: z.string().min(1).max(128).optional().describe('only the keys of this session'),
});

export const listApiKeysResponse = z.object({ items: z.array(apiKeyView) });

export const apiKeyIdParams = z.object({ id: z.string().min(1).max(128) });
