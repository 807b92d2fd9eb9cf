import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Socket } from 'node:net';

export interface StallingProxy {
  /** `127.0.0.1:<port>`, e.g. for WA_MEDIA_ORIGIN_OVERRIDE. */
  origin: string;
  /** Connections that sent `afterBytes` and are now stalled. */
  stalled(): number;
  close(): Promise<void>;
}

/**
 * A TCP proxy to `target` that forwards each connection's first `afterBytes` from the client, then
 * stops reading from it (answers still flow back). Put between a worker and the media CDN, it holds
 * an upload in the middle of its body for as long as the test needs: a request in flight that
 * neither fails nor completes. Closing either side closes the other.
 */
export async function startStallingProxy(target: string, afterBytes: number): Promise<StallingProxy> {
  const [host = '127.0.0.1', port = '0'] = target.split(':');
  const sockets = new Set<Socket>();
  let stalled = 0;
  const server = createServer((client) => {
    const upstream = createConnection({ host, port: Number(port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    let forwarded = 0;
    let held = false;
    client.on('data', (chunk: Buffer) => {
      if (held) return;
      const part = chunk.subarray(0, afterBytes - forwarded);
      upstream.write(part);
      forwarded += part.length;
      if (forwarded >= afterBytes) {
        held = true;
        client.pause();
        stalled++;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    stalled: () => stalled,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
