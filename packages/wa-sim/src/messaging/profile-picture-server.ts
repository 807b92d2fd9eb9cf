import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A 1×1 PNG: the smallest real image, enough for clients that download and decode the picture. */
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * Loopback HTTP server standing in for WhatsApp's picture CDN. Started on first use so simulators that
 * never look up a picture open no extra port; {@link close} must be called by the owner.
 */
export class ProfilePictureServer {
  private server: Server | undefined;
  private starting: Promise<string> | undefined;
  /** Number of picture downloads served. */
  downloads = 0;

  /** URL of the picture for a user (digits), starting the server if needed. */
  async urlFor(user: string): Promise<string> {
    const base = await this.start();
    return `${base}/pp/${encodeURIComponent(user)}.png`;
  }

  private start(): Promise<string> {
    this.starting ??= new Promise<string>((resolve, reject) => {
      const server = createServer((request, response) => {
        if (request.method === 'GET' && request.url?.startsWith('/pp/')) {
          this.downloads++;
          response.writeHead(200, { 'content-type': 'image/png', 'content-length': PIXEL_PNG.length });
          response.end(PIXEL_PNG);
        } else {
          response.writeHead(404).end();
        }
      });
      this.server = server;
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      });
    });
    return this.starting;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.starting = undefined;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
