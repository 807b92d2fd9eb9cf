/**
 * How much resident memory a worker needs to send and to receive a large video: files must go
 * through streamed (store → encryption → upload, and download → decryption → store), never whole.
 *
 * One worker process (as `npm start` runs it), the WhatsApp simulator and its HTTPS media CDN, real
 * Redis and SQLite. The worker's RSS is sampled from /proc every 10 ms. For each file the baseline
 * is the worker's settled RSS just before, the growth is the peak during the transfer minus that
 * baseline, and the figure is growth ÷ file size. A 1 MiB file is measured first in the same run as
 * the reference (what a transfer costs at all, whatever its size), after one unreported warm-up round.
 *
 * Run: npm run bench:media-rss        (SIZE_MIB=100 by default)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsMediaStore } from '@wagw/media';
import { startGateway } from '../apps/worker/test/harness.js';
import { createOutbox, sessionPhone } from '../apps/worker/test/messaging-fixtures.js';

const MiB = 1024 * 1024;
const SIZE_MIB = Number(process.env.SIZE_MIB ?? 100);
const REFERENCE_MIB = 1;

/** A real MP4 (one second of ffmpeg's test pattern) padded to `bytes` with a `free` box. */
function makeVideo(bytes: number, dir: string): string {
  const clip = join(dir, `clip-${bytes}.mp4`);
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=10',
    '-t',
    '1',
    '-pix_fmt',
    'yuv420p',
    clip,
  ]);
  const head = readFileSync(clip);
  const padding = bytes - head.length;
  const file = join(dir, `video-${bytes}.mp4`);
  const fd = openSync(file, 'w');
  writeSync(fd, head);
  // A top-level `free` box: players skip it, so the file stays a valid MP4 of any size.
  const box = Buffer.alloc(8);
  box.writeUInt32BE(padding, 0);
  box.write('free', 4, 'ascii');
  writeSync(fd, box);
  const chunk = Buffer.alloc(MiB, 0x5a);
  for (let left = padding - 8; left > 0; left -= chunk.length)
    writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  closeSync(fd);
  rmSync(clip);
  return file;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** Samples a process' RSS every 10 ms between start and stop; reports the peak. */
function peakDuring(pid: number) {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, 10);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssOf(pid));
  };
}

/** The RSS once it stops moving: the median of 20 samples over 2 s after a GC-friendly pause. */
async function settledRss(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 1500));
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    samples.push(rssOf(pid));
    await new Promise((r) => setTimeout(r, 100));
  }
  samples.sort((a, b) => a - b);
  return samples[10] ?? 0;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function main() {
  const dir = join(tmpdir(), `wagw-media-rss-${process.pid}`);
  execFileSync('mkdir', ['-p', dir]);
  const gw = await startGateway({
    workerEnv: {
      SEND_JITTER_MS: '0',
      SEND_RATE_PER_MINUTE: '600',
      MEDIA_MAX_BYTES: String(4 * SIZE_MIB * MiB),
      SEND_ACK_TIMEOUT: '120000',
    },
  });
  const rows: Array<{ direction: string; mib: number; growth: number; ratio: number; seconds: number }> = [];
  try {
    const worker = await gw.startWorker('bench-media');
    const pid = worker.pid as number;
    const session = await gw.createSession('media-rss');
    await gw.pair(session.id, 60_000);
    const phone = await sessionPhone(gw, session.id);
    const outbox = createOutbox(gw, session.id);
    const store = createFsMediaStore({ root: gw.mediaDir });
    const bob = gw.sim.messaging.addContact({ phone: '15550002222', name: 'Bob' });

    // The first round only warms up (code loaded and compiled on first use, connection pools): its
    // one-time cost is not what a file costs, so it is not reported.
    for (const [round, mib] of [REFERENCE_MIB, REFERENCE_MIB, SIZE_MIB].entries()) {
      const record = round > 0;
      const file = makeVideo(mib * MiB, dir);
      const data = await readFile(file);
      const info = await store.put(
        (async function* () {
          yield* [data];
        })(),
        { maxBytes: data.length },
      );

      // Send: the worker reads the stored file, encrypts and uploads it to the simulator's CDN.
      let base = await settledRss(pid);
      let stop = peakDuring(pid);
      let started = performance.now();
      const row = await outbox.send(bob.pn, {
        type: 'video',
        media: { id: info.id, sha256: info.sha256, size: info.size, mimetype: info.mimetype },
      });
      const got = await gw.sim.messaging.waitForMessage(
        (m) => m.id === row.waMessageId && !m.ownDevice,
        300_000,
      );
      let peak = stop();
      if (!got.media?.verified || got.media.sha256 !== info.sha256)
        throw new Error(`send of ${mib} MiB not verified`);
      if (record)
        rows.push({
          direction: 'send',
          mib,
          growth: peak - base,
          ratio: (peak - base) / data.length,
          seconds: (performance.now() - started) / 1000,
        });

      // Receive: a peer sends the same file; the worker downloads, decrypts and stores it.
      base = await settledRss(pid);
      stop = peakDuring(pid);
      started = performance.now();
      const sent = await bob.sendMedia(phone, { type: 'video', data, mimetype: 'video/mp4' });
      const stored = await gw.waitFor(
        `inbound ${mib} MiB video stored`,
        async () => {
          const inbound = await gw.db.repos.messages.getByWaId(session.id, sent.id);
          return inbound?.mediaId ? inbound : undefined;
        },
        300_000,
      );
      peak = stop();
      if (stored.mediaId !== sha256(data)) throw new Error(`receive of ${mib} MiB stored other bytes`);
      if (record)
        rows.push({
          direction: 'receive',
          mib,
          growth: peak - base,
          ratio: (peak - base) / data.length,
          seconds: (performance.now() - started) / 1000,
        });
      rmSync(file);
    }
    await outbox.close();
  } finally {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(`media RSS: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`);
  console.log('| direction | file | peak RSS growth | growth ÷ file size | seconds |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.direction} | ${r.mib} MiB | ${(r.growth / MiB).toFixed(1)} MiB | ${r.ratio.toFixed(3)} | ${r.seconds.toFixed(1)} |`,
    );
  }
  const worst = Math.max(...rows.filter((r) => r.mib === SIZE_MIB).map((r) => r.growth));
  console.log(`largest growth at ${SIZE_MIB} MiB: ${(worst / MiB).toFixed(1)} MiB (bound: 64 MiB)`);
  if (worst >= 64 * MiB) process.exitCode = 1;
}

await main();
