import { Agent as HttpsAgent, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { buildConnector, type Dispatcher, Agent as UndiciAgent } from 'undici';

/** Where media connections go instead of the host in their URL (WA_MEDIA_ORIGIN_OVERRIDE). */
export interface MediaOrigin {
  /** Host name, IPv4 or IPv6 address (without brackets) to connect to. */
  host: string;
  port: number;
}

/** The HTTP plumbing Baileys is given for media when the origin is overridden. */
export interface MediaTransport {
  /** Baileys' socket config `fetchAgent`: uploads go through `https.request` with it. */
  fetchAgent: HttpsAgent;
  /**
   * The `options` of Baileys' `downloadMediaMessage` / `downloadContentFromMessage`: downloads go
   * through the global `fetch`, which takes an undici dispatcher and no https agent.
   */
  downloadOptions: { dispatcher: Dispatcher };
}

/**
 * Media connections to `origin` instead of the URL's host, for a media CDN other than WhatsApp's (the
 * simulator's, in tests). Only the TCP target changes: TLS still sends the URL's host name as SNI and
 * checks the certificate against it with Node's usual trust store, so a test CA is trusted through
 * NODE_EXTRA_CA_CERTS like any other and a certificate for another name is still refused.
 * Undefined without an override: Baileys then uses its defaults (global agent, global dispatcher).
 */
export function createMediaTransport(origin: MediaOrigin | undefined): MediaTransport | undefined {
  if (!origin) return undefined;
  return {
    fetchAgent: new OriginOverrideAgent(origin),
    downloadOptions: { dispatcher: originOverrideDispatcher(origin) },
  };
}

/**
 * An https.Agent whose sockets connect to `origin`. The agent's pool and TLS session cache stay keyed
 * by the URL's host, and `servername` is the URL's host already (https.Agent sets it before this runs).
 */
class OriginOverrideAgent extends HttpsAgent {
  constructor(private readonly origin: MediaOrigin) {
    // Node's https.globalAgent settings, which Baileys would otherwise use.
    super({ keepAlive: true, scheduling: 'lifo', timeout: 5000 });
  }

  override createConnection(
    options: RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    // https.Agent leaves servername empty for an IP-literal URL; tls.connect would then check the
    // certificate against the override address, so fall back to the URL's host.
    const servername = options.servername || options.host || undefined;
    return super.createConnection(
      { ...options, host: this.origin.host, port: this.origin.port, servername },
      callback,
    );
  }
}

/** An undici Agent whose connector dials `origin` with the URL's host as TLS server name. */
function originOverrideDispatcher(origin: MediaOrigin): Dispatcher {
  const connect = buildConnector({});
  return new UndiciAgent({
    connect: (options, callback) =>
      connect(
        {
          ...options,
          hostname: origin.host,
          port: String(origin.port),
          servername: options.servername || options.hostname,
        },
        callback,
      ),
  });
}
