import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairTestClient, startSimulator, type TestClient, type WaSimulator } from '../src/index.js';
import { cdnRequest } from './media-https.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
const uploadPath = (type: string, hash: Buffer, auth: string, token = hash.toString('base64url')) =>
  `/mms/${type}/${hash.toString('base64url')}?auth=${encodeURIComponent(auth)}&token=${token}`;

describe('media CDN over HTTPS with the simulator CA', () => {
  let sim: WaSimulator;
  let client: TestClient;
  let auth: string;

  beforeAll(async () => {
    sim = await startSimulator({ media: { maxBlobBytes: 64 * 1024 } });
    ({ client } = await pairTestClient(sim));
    // Baileys' own media_conn query and parser.
    const conn = await client.sock.refreshMediaConn(true);
    auth = conn.auth;
  });
  afterAll(async () => {
    await client?.end();
    await sim?.close();
  });

  it('media_conn answers what Baileys parses: a random auth token, ttl and the media hosts', async () => {
    const again = await client.sock.refreshMediaConn(true);
    expect(again.auth).toBe(auth);
    expect(auth.length).toBeGreaterThanOrEqual(32);
    expect(again.ttl).toBe(300);
    expect(again.hosts).toEqual([{ hostname: 'mmg.whatsapp.net', maxContentLengthBytes: 64 * 1024 }]);
    expect(sim.media.origin).toBe(`127.0.0.1:${sim.media.port}`);
  });

  it('stores an upload and serves it whole and by range', async () => {
    const blob = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const before = { ...sim.counters.media };
    const up = await cdnRequest(sim.media, {
      method: 'POST',
      path: uploadPath('image', sha256(blob), auth),
      body: blob,
    });
    expect(up.status).toBe(200);
    const { url, direct_path } = JSON.parse(up.body.toString()) as { url: string; direct_path: string };
    expect(direct_path).toMatch(
      /^\/v\/t62\.7118-24\/\d+_\d+_\d+_n\.enc\?ccb=11-4&oh=01_.+&oe=[0-9A-F]+&_nc_sid=5e03e0$/,
    );
    expect(url).toBe(`https://mmg.whatsapp.net${direct_path}&mms3=true`);
    expect(sim.counters.media.uploads).toBe(before.uploads + 1);
    expect(sim.counters.media.bytesStored).toBe(before.bytesStored + 1000);
    expect(sim.media.find(url)?.size).toBe(1000);

    const whole = await cdnRequest(sim.media, { path: new URL(url).pathname + new URL(url).search });
    expect(whole.status).toBe(200);
    expect(whole.body.equals(blob)).toBe(true);
    const byDirectPath = await cdnRequest(sim.media, {
      path: direct_path,
      servername: 'media-fra5-1.cdn.whatsapp.net',
    });
    expect(byDirectPath.body.equals(blob)).toBe(true);

    const part = await cdnRequest(sim.media, { path: direct_path, headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 100-199/1000');
    expect(part.body.equals(blob.subarray(100, 200))).toBe(true);
    const tail = await cdnRequest(sim.media, { path: direct_path, headers: { range: 'bytes=-10' } });
    expect([tail.status, tail.body.equals(blob.subarray(990))]).toEqual([206, true]);
    const open = await cdnRequest(sim.media, { path: direct_path, headers: { range: 'bytes=995-' } });
    expect([open.status, open.headers['content-range']]).toEqual([206, 'bytes 995-999/1000']);
    const beyond = await cdnRequest(sim.media, { path: direct_path, headers: { range: 'bytes=1000-' } });
    expect([beyond.status, beyond.headers['content-range']]).toEqual([416, 'bytes */1000']);
    expect(sim.counters.media.downloads).toBe(before.downloads + 5);

    expect((await cdnRequest(sim.media, { path: '/v/t62.7118-24/1_2_3_n.enc' })).status).toBe(404);
  });

  it('refuses bad tokens, bad paths, hash mismatches and oversized bodies with a JSON 4xx', async () => {
    const blob = Buffer.from('encrypted bytes');
    const hash = sha256(blob);
    const before = { ...sim.counters.media };
    const post = (path: string, body = blob) => cdnRequest(sim.media, { method: 'POST', path, body });
    const cases: Array<[string, number, RegExp]> = [
      [uploadPath('image', hash, 'not-a-token'), 401, /unknown/],
      [`/mms/image/${hash.toString('base64url')}?token=${hash.toString('base64url')}`, 401, /unknown/],
      [uploadPath('image', sha256(Buffer.from('other')), auth), 400, /does not match the fileEncSha256/],
      [uploadPath('image', hash, auth, 'AAAA'), 400, /token does not match/],
      [uploadPath('pictures', hash, auth), 400, /unknown media type/],
      [`/mms/image/not-a-hash?auth=${encodeURIComponent(auth)}&token=not-a-hash`, 400, /base64url SHA-256/],
    ];
    for (const [path, status, error] of cases) {
      const res = await post(path);
      expect([path, res.status]).toEqual([path, status]);
      expect(res.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.body.toString()).error).toMatch(error);
    }
    const big = Buffer.alloc(64 * 1024 + 1);
    const tooBig = await post(uploadPath('video', sha256(big), auth), big);
    expect(tooBig.status).toBe(413);
    expect(sim.counters.media.rejectedUploads).toBe(before.rejectedUploads + cases.length + 1);
    expect(sim.counters.media.uploads).toBe(before.uploads);
    expect(sim.counters.media.bytesStored).toBe(before.bytesStored);
  });
});

describe('media_conn tokens', () => {
  it('expire after auth_ttl: an upload with an expired token gets 401', async () => {
    const sim = await startSimulator({ media: { authTtlSeconds: 1 } });
    const { client } = await pairTestClient(sim);
    try {
      const conn = await client.sock.refreshMediaConn(true);
      expect(conn.ttl).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const blob = Buffer.from('late upload');
      const res = await cdnRequest(sim.media, {
        method: 'POST',
        path: uploadPath('document', sha256(blob), conn.auth),
        body: blob,
      });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body.toString()).error).toBe('auth token expired');
      // A new query gets a new token, which works.
      const fresh = await client.sock.refreshMediaConn(true);
      expect(fresh.auth).not.toBe(conn.auth);
      const ok = await cdnRequest(sim.media, {
        method: 'POST',
        path: uploadPath('document', sha256(blob), fresh.auth),
        body: blob,
      });
      expect(ok.status).toBe(200);
    } finally {
      await client.end();
      await sim.close();
    }
  });
});
