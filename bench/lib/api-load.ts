/**
 * One load measurement with autocannon: a warm-up run that is thrown away (JIT, connection pools,
 * SQLite page cache), then the measured run with the same settings.
 */
import autocannon from 'autocannon';

export interface LoadSettings {
  /** Concurrent keep-alive connections. */
  connections: number;
  /** Seconds of the measured run. */
  durationS: number;
  /** Seconds of the discarded warm-up run. */
  warmupS: number;
}

export interface LoadRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  /** 2xx responses per second of the measured run. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  ok: number;
  /** Non-2xx responses, socket errors and timeouts: any of them makes the figure suspect. */
  failed: number;
  statusCodes: Record<string, number>;
  /** CPU ms the server process(es) used per 2xx response during the measured run. */
  cpuMsPerRequest: number;
}

/** `cpuMs` reads the server's CPU time so far (see treeCpuMs). */
export async function measureLoad(
  request: LoadRequest,
  settings: LoadSettings,
  cpuMs: () => number,
): Promise<LoadResult> {
  const options = {
    url: request.url,
    method: 'POST',
    headers: request.headers,
    body: request.body,
    connections: settings.connections,
    pipelining: 1,
    // Every request carries a fresh `[<id>]` (the Idempotency-Key), for the baseline too.
    idReplacement: true,
    timeout: 10,
  };
  await autocannon({ ...options, duration: settings.warmupS });
  const cpuBefore = cpuMs();
  const result = await autocannon({ ...options, duration: settings.durationS });
  const cpuUsed = cpuMs() - cpuBefore;
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count]),
  );
  return {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    statusCodes,
    cpuMsPerRequest: cpuUsed / Math.max(1, result['2xx']),
  };
}
