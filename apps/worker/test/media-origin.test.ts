import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestCa } from '@wagw/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaTransport } from '../src/sessions/media-origin.js';
import { type MediaCdn, startMediaCdn } from './media-cdn-fixture.js';
import { mediaOriginClientScript, type ProbeReport, type RoundtripReport } from './media-origin-client.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * WA_MEDIA_ORIGIN_OVERRIDE against a real HTTPS server on 127.0.0.1 that holds a certificate for
 * WhatsApp's media host names only: Baileys' own upload and download functions, given the worker's
 * media transport, must reach it under `mmg.whatsapp.net` (SNI and certificate check unchanged)
 * while the CA is trusted only through NODE_EXTRA_CA_CERTS in a separate process.
 */
describe('media origin override', () => {
  let dir: string;
  let caFile: string;
  let cdn: MediaCdn;
  let strangerCdn: MediaCdn;

  beforeAll(async () => {
    const ca = createTestCa('wagw media-origin test CA');
    dir = await mkdtemp(join(tmpdir(), 'wagw-media-origin-test-'));
    caFile = join(dir, 'ca.pem');
    await writeFile(caFile, ca.caPem);
    cdn = await startMediaCdn(ca.issue(['mmg.whatsapp.net', '*.whatsapp.net']));
    // Issued by the same trusted CA, but for a name that is not the one in the media URL.
    strangerCdn = await startMediaCdn(ca.issue(['cdn.example.org']));
  });

  afterAll(async () => {
    await Promise.all([cdn?.close(), strangerCdn?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uploads and downloads through the override with the original host name for TLS', async () => {
    const report = (await runClient('roundtrip', {
      NODE_EXTRA_CA_CERTS: caFile,
      WA_MEDIA_ORIGIN_OVERRIDE: cdn.origin,
    })) as RoundtripReport;

    expect(report.downloadedSha256).toBe(report.plainSha256);
    expect(report.rangeSha256).toBe(report.expectedRangeSha256);
    expect(report.rawRangeLength).toBe(100);
    const [post, ...gets] = cdn.requests;
    expect(post).toMatchObject({ method: 'POST', bodySha256: report.fileEncSha256 });
    expect(post?.path).toMatch(/^\/mms\/image\//);
    expect(gets.map((r) => r.range)).toEqual([undefined, 'bytes=976-5008', 'bytes=0-99']);
    for (const request of cdn.requests) expect(request.servername).toBe('mmg.whatsapp.net');
  });

  it('still verifies the certificate chain: without the test CA both directions fail', async () => {
    const report = (await runClient('probe', { WA_MEDIA_ORIGIN_OVERRIDE: cdn.origin })) as ProbeReport;
    expect(report).toEqual({
      uploadError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      downloadError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });

  it('still verifies the host name: a trusted certificate for another name fails both directions', async () => {
    const report = (await runClient('probe', {
      NODE_EXTRA_CA_CERTS: caFile,
      WA_MEDIA_ORIGIN_OVERRIDE: strangerCdn.origin,
    })) as ProbeReport;
    expect(report).toEqual({
      uploadError: 'ERR_TLS_CERT_ALTNAME_INVALID',
      downloadError: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    expect(strangerCdn.requests).toEqual([]);
  });

  it('gives Baileys nothing (its defaults) when no override is configured', () => {
    expect(createMediaTransport(undefined)).toBeUndefined();
  });
});

/** Runs media-origin-client.ts in a fresh process with only `env` (and PATH) set. */
async function runClient(mode: 'roundtrip' | 'probe', env: Record<string, string>): Promise<unknown> {
  const child = spawn(process.execPath, ['--import', 'tsx', mediaOriginClientScript, mode], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`media-origin client exited ${code}: ${stderr}`);
  return JSON.parse(stdout);
}
