import { type CuttableProxy, startCuttableProxy } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDbOutage } from './db-outage-scenario.js';
import { type Gateway, startGateway } from './harness.js';

let gw: Gateway;
let proxy: CuttableProxy;
beforeAll(async () => {
  gw = await startGateway({ database: 'postgres' });
  const target = new URL(gw.databaseUrl);
  proxy = await startCuttableProxy(target.hostname, Number(target.port || 5432));
});
afterAll(async () => {
  await gw?.close();
  await proxy?.close();
});

describe('PostgreSQL unreachable from the worker', () => {
  it('inbound messages and receipts that arrive meanwhile are spooled and written once it answers', async () => {
    // The worker reaches PostgreSQL through the proxy; the test reads the same schema directly.
    const viaProxy = new URL(gw.databaseUrl);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const started = performance.now();
    const figures = await runDbOutage(
      gw,
      { start: async () => proxy.cut(), end: async () => proxy.restore() },
      { inbound: 20, outbound: 5, workerEnv: { DATABASE_URL: viaProxy.toString(), DB_TIMEOUT: '3000' } },
    );
    expect(figures.receipts).toBeGreaterThanOrEqual(5);
    console.info(
      `postgres cut: ${figures.inbound} inbound + ${figures.receipts} receipts spooled, all written ${figures.drainMs} ms after restore; test ${Math.round(performance.now() - started)} ms`,
    );
  }, 240_000);
});
