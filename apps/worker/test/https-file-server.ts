import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCa } from '@wagw/wa-sim';

export interface HttpsFileServer {
  /** `https://127.0.0.1:<port><path>`. */
  url(path: string): string;
  /**
   * A PEM file with this server's CA and the `alsoTrust` ones, for NODE_EXTRA_CA_CERTS (which takes
   * a single file, and a worker must trust the simulator's CDN as well).
   */
  caFile: string;
  /** Requests per path, to show what was fetched how often. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/**
 * An HTTPS server on 127.0.0.1 whose certificate (for 127.0.0.1 and localhost) a fresh test CA
 * issued: where media URLs point in tests. Unknown paths answer 404.
 */
export async function startHttpsFileServer(
  routes: Record<string, RequestListener>,
  alsoTrust: string[],
): Promise<HttpsFileServer> {
  const ca = createTestCa('wagw media URL test CA');
  const tls = ca.issue(['localhost'], ['127.0.0.1']);
  const dir = mkdtempSync(join(tmpdir(), 'wagw-https-files-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, [ca.caPem, ...alsoTrust].join('\n'));
  const hits = new Map<string, number>();
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes[path];
    if (route) route(req, res);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `https://127.0.0.1:${port}${path}`,
    caFile,
    hits,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
