import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { MediaCounters } from '../observe/counters.js';
import { handleDownload } from './cdn-download.js';
import type { CdnFaults } from './cdn-faults.js';
import { handleUpload, sendJson } from './cdn-upload.js';
import type { MediaAuthTokens } from './media-auth.js';
import type { MediaStore } from './media-store.js';
import type { TestCertificates } from './test-ca.js';

interface CdnDeps {
  store: MediaStore;
  tokens: MediaAuthTokens;
  counters: MediaCounters;
  certificates: TestCertificates;
  faults: CdnFaults;
}

/**
 * The HTTPS media CDN on loopback: uploads under `/mms/…`, downloads of everything else, with the
 * leaf certificate for WhatsApp's media host names so a client keeps checking the name it asked for.
 */
export class CdnServer {
  private readonly server: Server;

  constructor(private readonly deps: CdnDeps) {
    this.server = createServer(
      { key: deps.certificates.keyPem, cert: deps.certificates.certPem },
      (req, res) => {
        void this.route(req, res);
      },
    );
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'https://localhost');
    } catch {
      return sendJson(response, 400, { error: 'bad request target' });
    }
    const method = request.method ?? 'GET';
    if (method === 'POST' && url.pathname.startsWith('/mms/'))
      return handleUpload(request, response, url, this.deps);
    if (method === 'GET' || method === 'HEAD') return handleDownload(request, response, url, this.deps);
    response.setHeader('allow', 'GET, HEAD, POST');
    sendJson(response, 405, { error: `${method} not allowed` });
  }
}
