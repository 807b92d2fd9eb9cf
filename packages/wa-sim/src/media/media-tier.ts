import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { proto } from '@whiskeysockets/baileys';
import type { MediaCounters } from '../observe/counters.js';
import type { StanzaRouter } from '../router/stanza-router.js';
import { CdnFaults } from './cdn-faults.js';
import { CdnServer } from './cdn-server.js';
import { MediaAuthTokens } from './media-auth.js';
import { installMediaConnIq } from './media-conn-iq.js';
import { type EncryptedMedia, encryptMedia } from './media-crypto.js';
import type { StoredKind } from './media-kinds.js';
import { installMediaRetry, SentMedia } from './media-retry.js';
import { MEDIA_HOST, MediaStore, type StoredBlob } from './media-store.js';
import {
  inspectReceivedMedia,
  type PeerMediaInput,
  prepareOutgoingMedia,
  type ReceivedMedia,
} from './peer-media.js';
import { testCertificates } from './test-ca.js';

export interface MediaOptions {
  /** Port of the HTTPS media CDN on 127.0.0.1. Default 0 (ephemeral). */
  port?: number;
  /** Seconds an upload token from `media_conn` stays valid. Default 21 600 (WhatsApp's `auth_ttl`). */
  authTtlSeconds?: number;
  /** Largest blob the CDN accepts, in bytes (also `maxContentLengthBytes` of each host). Default 256 MiB. */
  maxBlobBytes?: number;
  /**
   * Host names `media_conn` offers for uploads. Default `['mmg.whatsapp.net']`. The CDN's certificate
   * covers `mmg.whatsapp.net`, `*.whatsapp.net`, `*.cdn.whatsapp.net`, `localhost` and 127.0.0.1 only.
   */
  hosts?: string[];
}

/** The simulator's media CDN as a test sees it (`sim.media`). */
export interface SimMedia {
  /** `127.0.0.1:<port>`: where connections to WhatsApp's media hosts must go. */
  readonly origin: string;
  readonly port: number;
  /** PEM file of the test CA that issued the CDN's certificate, for `NODE_EXTRA_CA_CERTS`. */
  readonly caFile: string;
  /** The same CA as PEM text, for an in-process `https.Agent({ ca })`. */
  readonly caPem: string;
  /** Host names `media_conn` hands out. */
  readonly hosts: readonly string[];
  /** A stored blob by its url or direct path. */
  find(urlOrPath: string): StoredBlob | undefined;
  /** Error answers and a slow link for downloads (see `cdn-faults.ts`). */
  readonly faults: CdnFaults;
  /**
   * The CDN forgets the file of a message a peer sent, as WhatsApp's does after a while: downloads
   * get 404 until the client asks the sender for it again (a media retry), which uploads it under a
   * new path. False when no peer sent a file under that message id.
   */
  expire(messageId: string): boolean;
  /** Like {@link expire}, and the sender's phone lost the file too: media retries get NOT_FOUND. */
  lose(messageId: string): boolean;
}

/** What simulated peers need from the media tier (used by `messaging/`). */
export interface PeerMediaAccess {
  inspect(message: proto.IMessage): Promise<ReceivedMedia | undefined>;
  prepare(input: PeerMediaInput): Promise<proto.IMessage>;
  /** A peer sent this message: its phone keeps the file to answer media retries. */
  recordSent(id: string, message: proto.IMessage): void;
  /** Encrypts a file as a phone does and stores the blob on the CDN (history sync blobs, for one). */
  storeEncrypted(
    kind: StoredKind,
    plaintext: Buffer,
  ): Promise<{ blob: StoredBlob; encrypted: EncryptedMedia }>;
}

const DEFAULT_AUTH_TTL_SECONDS = 21_600;
const DEFAULT_MAX_BLOB_BYTES = 256 * 1024 * 1024;

/**
 * The media tier: `media_conn` IQ, upload tokens, the HTTPS CDN and its blob store, in a temporary
 * directory that also holds the CA file; everything is removed by {@link close}.
 */
export class MediaTier implements SimMedia, PeerMediaAccess {
  readonly caFile: string;
  readonly caPem: string;
  readonly hosts: readonly string[];
  readonly faults = new CdnFaults();
  private readonly store: MediaStore;
  private readonly sent: SentMedia;
  private readonly server: CdnServer;
  private readonly requestedPort: number;

  constructor(options: MediaOptions, counters: MediaCounters, router: StanzaRouter) {
    // Options first, so a bad one leaves no temporary directory behind.
    const maxBlobBytes = positive('maxBlobBytes', options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES);
    const authTtlSeconds = positive('authTtlSeconds', options.authTtlSeconds ?? DEFAULT_AUTH_TTL_SECONDS);
    const tokens = new MediaAuthTokens(authTtlSeconds);
    this.hosts = options.hosts ?? [MEDIA_HOST];
    this.requestedPort = options.port ?? 0;
    const dir = mkdtempSync(join(tmpdir(), 'wa-sim-media-'));
    const certificates = testCertificates();
    this.caPem = certificates.caPem;
    this.caFile = join(dir, 'ca.pem');
    writeFileSync(this.caFile, certificates.caPem);
    this.store = new MediaStore(dir, counters, maxBlobBytes);
    this.server = new CdnServer({ store: this.store, tokens, counters, certificates, faults: this.faults });
    installMediaConnIq(router, tokens, this.hosts, maxBlobBytes);
    this.sent = new SentMedia(this.store);
    installMediaRetry(router, { store: this.store, sent: this.sent, counters });
  }

  get port(): number {
    return this.server.port;
  }

  get origin(): string {
    return `127.0.0.1:${this.port}`;
  }

  listen(): Promise<void> {
    return this.server.listen(this.requestedPort, '127.0.0.1');
  }

  find(urlOrPath: string): StoredBlob | undefined {
    return this.store.find(urlOrPath);
  }

  inspect(message: proto.IMessage): Promise<ReceivedMedia | undefined> {
    return inspectReceivedMedia(this.store, message);
  }

  prepare(input: PeerMediaInput): Promise<proto.IMessage> {
    return prepareOutgoingMedia(this.store, input);
  }

  recordSent(id: string, message: proto.IMessage): void {
    this.sent.record(id, message);
  }

  async storeEncrypted(
    kind: StoredKind,
    plaintext: Buffer,
  ): Promise<{ blob: StoredBlob; encrypted: EncryptedMedia }> {
    const encrypted = await encryptMedia(plaintext, kind);
    return { blob: await this.store.put(kind, encrypted.blob, encrypted.fileEncSha256), encrypted };
  }

  expire(messageId: string): boolean {
    const file = this.sent.get(messageId);
    if (file) this.store.expire(file.blob.directPath);
    return file !== undefined;
  }

  lose(messageId: string): boolean {
    return this.expire(messageId) && this.sent.lose(messageId);
  }

  /** Stops the CDN and deletes the blobs and the CA file. */
  async close(): Promise<void> {
    await this.server.close();
    await this.store.close();
  }
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`media.${name} must be > 0, got ${value}`);
  return value;
}
