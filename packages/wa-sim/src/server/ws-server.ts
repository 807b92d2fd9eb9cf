import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface WsServerOptions {
  /** Default `127.0.0.1`; the simulator is for loopback use only. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  onSocket(ws: WebSocket, request: IncomingMessage): void;
}

/**
 * HTTP server that upgrades any path to a WebSocket (Baileys uses `/ws/chat`). Also owns the
 * transport-level faults: closed port, TCP resets during an outage, non-101 upgrade answers.
 */
export class WsServer {
  readonly http: Server;
  outage = false;
  upgradeStatus: number | undefined;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;
  private listening = false;

  constructor(private readonly options: WsServerOptions) {
    this.http = createServer();
    this.http.on('connection', (socket: Socket) => {
      if (this.outage) {
        socket.resetAndDestroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      if (this.upgradeStatus !== undefined) {
        const status = this.upgradeStatus;
        socket.end(
          `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        );
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.options.onSocket(ws, request));
    });
  }

  get port(): number {
    return this.boundPort;
  }

  async listen(): Promise<void> {
    if (this.listening) return;
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.boundPort || this.options.port || 0, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.http.address() as AddressInfo).port;
    this.listening = true;
  }

  /** Stops accepting connections; live ones stay up. */
  async stopListening(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    // close() only resolves once every connection ended, so do not wait for it here.
    this.http.close();
  }

  /**
   * Resets (RST) every TCP socket still alive. Called after the simulator terminated its
   * WebSocket connections, so this only hits sockets whose upgrade is still in flight.
   */
  resetSockets(): void {
    for (const socket of this.sockets) if (!socket.destroyed) socket.resetAndDestroy();
  }

  /** Stops listening and destroys every socket. */
  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    for (const socket of this.sockets) socket.destroy();
    this.listening = false;
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.wss.close();
  }
}
