/**
 * Memory readings of another Node process, taken the same way for the worker and for the raw-socket
 * baseline: the process is started with `--inspect=127.0.0.1:<port>`, and through the inspector the
 * bench forces a full garbage collection (HeapProfiler.collectGarbage) before it reads the V8 heap in
 * use (Runtime.getHeapUsage) and the resident set (VmRSS in /proc/<pid>/status). Without the forced
 * GC an idle process' RSS depends on when V8 last collected, which at 1,000 sockets moves by tens of
 * MiB between two readings a second apart.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { WebSocket } from 'ws';

export interface MemoryReading {
  /** Resident set size in bytes, after a full GC. */
  rss: number;
  /** V8 heap in use (live objects) in bytes, after the same GC. */
  heapUsed: number;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

/** `--inspect` flag for a child on a fixed loopback port (its output is not read, so no port 0). */
export const inspectFlag = (port: number) => `--inspect=127.0.0.1:${port}`;

export interface MemoryProbe {
  read(): Promise<MemoryReading>;
  /** Writes a V8 heap snapshot of the process to `file` (for profiling a missed goal). */
  snapshot(file: string): Promise<void>;
  close(): void;
}

/** Connects to the inspector of `pid` listening on `port` (retries while the process starts). */
export async function connectProbe(pid: number, port: number, timeoutMs = 30_000): Promise<MemoryProbe> {
  const deadline = Date.now() + timeoutMs;
  let target: string | undefined;
  while (!target) {
    const list = await fetch(`http://127.0.0.1:${port}/json/list`)
      .then((r) => r.json() as Promise<Array<{ webSocketDebuggerUrl: string }>>)
      .catch(() => undefined);
    target = list?.[0]?.webSocketDebuggerUrl;
    if (!target) {
      if (Date.now() > deadline) throw new Error(`no inspector on port ${port}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const ws = new WebSocket(target);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  // A snapshot of a heap of a few hundred MiB is over a GiB of JSON: more than one V8 string can hold,
  // so its chunks go straight to the file as they arrive.
  let snapshotFd: number | undefined;
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as {
      id?: number;
      result?: unknown;
      method?: string;
      params?: { chunk: string };
    };
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk' && snapshotFd !== undefined)
      writeSync(snapshotFd, message.params?.chunk ?? '');
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
    if (message.id !== undefined) pending.delete(message.id);
  });
  const call = <T>(method: string, timeoutMs = 60_000) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`${method} timed out`)), timeoutMs);
      pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result as T);
      });
      ws.send(JSON.stringify({ id, method }));
    });

  return {
    async read() {
      // Twice: the first pass may only schedule finalizers whose memory the second one frees.
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
      const heap = await call<{ usedSize: number }>('Runtime.getHeapUsage');
      return { rss: rssOf(pid), heapUsed: heap.usedSize };
    },
    async snapshot(file) {
      snapshotFd = openSync(file, 'w');
      try {
        // At 1,000 sessions on a busy 2-core machine this takes minutes, not seconds.
        await call('HeapProfiler.takeHeapSnapshot', 15 * 60_000);
      } finally {
        closeSync(snapshotFd);
        snapshotFd = undefined;
      }
    },
    close: () => ws.close(),
  };
}

/** Waits `ms`, then returns the median of 5 GC'd readings 300 ms apart (RSS and heap alike). */
export async function settledReading(probe: MemoryProbe, ms: number): Promise<MemoryReading> {
  await new Promise((r) => setTimeout(r, ms));
  const readings: MemoryReading[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(await probe.read());
    await new Promise((r) => setTimeout(r, 300));
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[2] ?? Number.NaN;
  return { rss: median(readings.map((r) => r.rss)), heapUsed: median(readings.map((r) => r.heapUsed)) };
}
