import { commonConfig, commonEnv } from './common.js';
import { bool, host, int, secret } from './fields.js';
import { parseEnv } from './load.js';

/** Variables of the API process (apps/api) on top of the common ones. */
export const apiEnv = {
  ...commonEnv,
  // TCP port the API listens on.
  PORT: int(3000, { min: 0, max: 65535 }),
  // Interface to bind. Loopback by default; set 0.0.0.0 inside a container behind a load balancer.
  HOST: host('127.0.0.1'),
  // Admin API key (at least 16 characters). Every route but health needs a key. `npm start` generates one.
  API_KEY: secret(16),
  // Requests running longer than this get a 504 in the standard error envelope, in ms.
  REQUEST_TIMEOUT: int(30_000, { min: 100 }),
  // Largest accepted request body in bytes (bulk sends of 10,000 messages need a few MB).
  BODY_LIMIT: int(16 * 1024 * 1024, { min: 1024 }),
  // Trust X-Forwarded-* from the load balancer in front of the API replicas.
  TRUST_PROXY: bool(false),
} as const;

export function loadApiConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = parseEnv(apiEnv, env);
  return {
    ...commonConfig(parsed, 'api'),
    port: parsed.PORT,
    host: parsed.HOST,
    apiKey: parsed.API_KEY,
    requestTimeoutMs: parsed.REQUEST_TIMEOUT,
    bodyLimit: parsed.BODY_LIMIT,
    trustProxy: parsed.TRUST_PROXY,
  };
}

export type ApiConfig = ReturnType<typeof loadApiConfig>;
