import { hkdfSync, randomBytes } from 'node:crypto';
import { aesDecryptGCM, aesEncryptGCM, type BinaryNode, proto } from '@whiskeysockets/baileys';
import type { MediaCounters } from '../observe/counters.js';
import { bytes, child, SERVER_JID } from '../router/iq-replies.js';
import type { StanzaRouter } from '../router/stanza-router.js';
import { type MediaKind, mediaOf } from './media-kinds.js';
import type { MediaStore, StoredBlob } from './media-store.js';

const Result = proto.MediaRetryNotification.ResultType;

/** A file a simulated peer sent, as the sender's phone keeps it: what a media retry needs. */
interface SentFile {
  kind: MediaKind;
  mediaKey: Buffer;
  blob: StoredBlob;
  /** The phone no longer has the file either: a retry is answered NOT_FOUND. */
  lost: boolean;
}

/** The files simulated peers sent, by message id, so their phones can answer media retries. */
export class SentMedia {
  private readonly byId = new Map<string, SentFile>();

  constructor(private readonly store: MediaStore) {}

  /** Remembers the file of a message a peer sent (no-op for a message without one). */
  record(id: string, message: proto.IMessage): void {
    const media = mediaOf(message);
    const where = media?.content.directPath || media?.content.url;
    const blob = where ? this.store.find(where) : undefined;
    if (!media?.content.mediaKey || !blob) return;
    this.byId.set(id, { kind: media.kind, mediaKey: Buffer.from(media.content.mediaKey), blob, lost: false });
  }

  get(id: string): SentFile | undefined {
    return this.byId.get(id);
  }

  /** The sender's phone lost the file too: later retries get NOT_FOUND. False for an unknown id. */
  lose(id: string): boolean {
    const file = this.byId.get(id);
    if (file) file.lost = true;
    return file !== undefined;
  }
}

/** The retry key both sides derive from the media key (Baileys' `getMediaRetryKey`). */
function retryKey(mediaKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', mediaKey, Buffer.alloc(0), 'WhatsApp Media Retry Notification', 32));
}

/** Whether the request decrypts with the file's retry key and names the message it came for. */
function requestValid(receipt: BinaryNode, id: string, key: Buffer): boolean {
  const encrypt = child(receipt, 'encrypt');
  try {
    const plain = aesDecryptGCM(
      bytes(child(encrypt, 'enc_p')),
      key,
      bytes(child(encrypt, 'enc_iv')),
      Buffer.from(id),
    );
    return proto.ServerErrorReceipt.decode(plain).stanzaId === id;
  } catch {
    return false;
  }
}

/**
 * The sender's phone answering a media retry: the file uploaded again under a new path (or the
 * same path while the CDN still has it), NOT_FOUND when the phone lost it too, DECRYPTION_ERROR
 * for a request that does not decrypt with the file's key.
 */
function answer(receipt: BinaryNode, rmr: BinaryNode, id: string, deps: MediaRetryDeps): BinaryNode {
  const attrs = {
    id,
    type: 'mediaretry',
    from: receipt.attrs.to ?? SERVER_JID,
    t: String(Math.floor(Date.now() / 1000)),
  };
  const sent = deps.sent.get(id);
  // Not a message any simulated peer sent: WhatsApp answers with an error code instead of a payload.
  if (!sent)
    return {
      tag: 'notification',
      attrs,
      content: [rmr, { tag: 'error', attrs: { code: String(Result.NOT_FOUND) } }],
    };
  const key = retryKey(sent.mediaKey);
  let result = requestValid(receipt, id, key) ? Result.SUCCESS : Result.DECRYPTION_ERROR;
  let directPath: string | undefined;
  if (result === Result.SUCCESS && sent.lost) result = Result.NOT_FOUND;
  if (result === Result.SUCCESS) {
    sent.blob = deps.store.find(sent.blob.directPath) ?? deps.store.reupload(sent.kind, sent.blob);
    directPath = sent.blob.directPath;
    deps.counters.reuploads++;
  }
  const plain = proto.MediaRetryNotification.encode({
    stanzaId: id,
    result,
    ...(directPath ? { directPath } : {}),
  }).finish();
  const iv = randomBytes(12);
  const encrypted = aesEncryptGCM(plain, key, iv, Buffer.from(id));
  const encrypt: BinaryNode = {
    tag: 'encrypt',
    attrs: {},
    content: [
      { tag: 'enc_p', attrs: {}, content: encrypted },
      { tag: 'enc_iv', attrs: {}, content: iv },
    ],
  };
  return { tag: 'notification', attrs, content: [rmr, encrypt] };
}

interface MediaRetryDeps {
  store: MediaStore;
  sent: SentMedia;
  counters: MediaCounters;
}

/**
 * Media retries (Baileys' `updateMediaMessage`): a client that found a file gone from the CDN sends
 * `<receipt type="server-error">` with the request encrypted under the file's key and `<rmr>` naming
 * the message; WhatsApp relays it to the sender's phone, which uploads the file again and answers
 * with a `mediaretry` notification carrying the new direct path. Here the simulator is both.
 */
export function installMediaRetry(router: StanzaRouter, deps: MediaRetryDeps): void {
  router.onStanza('receipt', (_conn, node) => {
    const rmr = child(node, 'rmr');
    const id = node.attrs.id;
    if (node.attrs.type !== 'server-error' || !rmr || !id) return;
    deps.counters.retryRequests++;
    return answer(node, rmr, id, deps);
  });
}
