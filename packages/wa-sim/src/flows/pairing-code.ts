import { randomBytes } from 'node:crypto';
import { type BinaryNode, Curve, jidDecode } from '@whiskeysockets/baileys';
import { waitForEvent } from '../observe/wait-for.js';
import { bytes, child, iqError, iqResult, SERVER_JID } from '../router/iq-replies.js';
import type { SimConnection } from '../server/connection.js';
import type { SimContext } from '../sim-context.js';
import type { Companion } from '../world/world-types.js';
import { deriveAdvSecret, openKeyBundle, unwrapEphemeral, wrapEphemeral } from './link-code-crypto.js';
import { forgetPairing, linkCompanion, type ScanOptions } from './pairing.js';

export interface EnterCodeOptions extends Omit<ScanOptions, 'phone'> {
  /**
   * How long the phone waits for the companion's code request to reach the server, and then for
   * its `companion_finish`. Default 15 000 ms.
   */
  timeoutMs?: number;
}

/** A registering connection's `companion_hello`: the number it wants to link to and its wrapped key. */
interface CodeRequest {
  conn: SimConnection;
  ref: string;
  wrappedCompanionEphemeral: Buffer;
  /** Set while the phone waits for this connection's `companion_finish`. */
  onFinish?: (stage: BinaryNode) => void;
}

const STAGE_KEY = 'md/set/link_code_companion_reg';

/**
 * Phone-number login (`link_code_companion_reg`), server and phone side. Baileys'
 * `requestPairingCode(phone)` sends `companion_hello` with its ephemeral key wrapped by the code;
 * the simulated phone "types" the code ({@link enter}), answers with `primary_hello` (its own
 * wrapped ephemeral key and identity key) as a notification, opens the companion's key bundle
 * from `companion_finish`, derives the ADV secret both sides share, and links the companion with
 * the same `<pair-success>` a QR scan sends. A wrong code makes the bundle fail to open: the phone
 * shows "Couldn't link device", the companion gets no `<pair-success>` and keeps its QR (WhatsApp
 * answers `companion_finish` with a plain result either way), and the code can be typed again.
 */
export class PairingCodes {
  /** Pending requests by phone digits; a newer request for the same number replaces the older. */
  private readonly requests = new Map<string, CodeRequest>();

  constructor(private readonly ctx: SimContext) {
    ctx.router.on(STAGE_KEY, (conn, iq) => this.onStage(conn, iq));
    ctx.events.on('close', (conn) => {
      for (const [phone, request] of this.requests) if (request.conn === conn) this.requests.delete(phone);
    });
  }

  /** The phone types `code` (dashes and case ignored) for the number's pending request. */
  async enter(phone: string, code: string, options: EnterCodeOptions = {}): Promise<Companion> {
    const digits = phone.replace(/\D/g, '');
    const typed = code.replace(/[\s-]/g, '').toUpperCase();
    const timeoutMs = options.timeoutMs ?? 15_000;
    const request = await this.waitForRequest(digits, timeoutMs);
    const account = this.ctx.world.account(digits) ?? this.ctx.world.createAccount({ phone: digits });
    const companionEphemeral = await unwrapEphemeral(typed, request.wrappedCompanionEphemeral);
    const primaryEphemeral = Curve.generateKeyPair();
    const finished = this.waitForFinish(request, timeoutMs);
    await request.conn.send({
      tag: 'notification',
      attrs: {
        from: SERVER_JID,
        type: 'link_code_companion_reg',
        id: request.conn.nextId(),
        t: String(Math.floor(Date.now() / 1000)),
      },
      content: [
        {
          tag: 'link_code_companion_reg',
          attrs: { stage: 'primary_hello' },
          content: [
            {
              tag: 'link_code_pairing_wrapped_primary_ephemeral_pub',
              attrs: {},
              content: await wrapEphemeral(typed, primaryEphemeral.public),
            },
            {
              tag: 'primary_identity_pub',
              attrs: {},
              content: Buffer.from(account.primary.identityKey.public),
            },
            { tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(request.ref) },
          ],
        },
      ],
    });
    const finish = await finished;
    const ephemeralShared = Curve.sharedKey(primaryEphemeral.private, companionEphemeral);
    const companionIdentity = bytes(child(finish, 'companion_identity_public'));
    let bundle: ReturnType<typeof openKeyBundle>;
    try {
      bundle = openKeyBundle(ephemeralShared, bytes(child(finish, 'link_code_pairing_wrapped_key_bundle')));
    } catch {
      this.ctx.counters.pairingCodeFailures++;
      throw new Error(
        `Couldn't link device: the code typed for +${digits} is not the one the companion showed`,
      );
    }
    if (
      !bundle.companionIdentityPub.equals(companionIdentity) ||
      !bundle.primaryIdentityPub.equals(Buffer.from(account.primary.identityKey.public))
    ) {
      this.ctx.counters.pairingCodeFailures++;
      throw new Error("Couldn't link device: the key bundle names other identity keys");
    }
    const identityShared = Curve.sharedKey(account.primary.identityKey.private, companionIdentity);
    this.requests.delete(digits);
    forgetPairing(this.ctx, request.conn);
    const companion = await linkCompanion(this.ctx, request.conn, {
      identityPub: companionIdentity,
      advSecret: deriveAdvSecret(ephemeralShared, identityShared, bundle.random),
      options: { ...options, phone: digits },
    });
    this.ctx.counters.codePairings++;
    return companion;
  }

  private async onStage(conn: SimConnection, iq: BinaryNode): Promise<BinaryNode | undefined> {
    const stage = child(iq, 'link_code_companion_reg');
    const phone = jidDecode(stage?.attrs.jid)?.user;
    if (stage?.attrs.stage === 'companion_hello') {
      const noiseKey = bytes(child(stage, 'companion_server_auth_key_pub'));
      const wrapped = bytes(child(stage, 'link_code_pairing_wrapped_companion_ephemeral_pub'));
      // Only a registering connection can ask, and only for the noise key it shook hands with.
      if (!phone || !conn.clientPayload?.devicePairingData || !conn.clientStatic?.equals(noiseKey)) {
        return iqError(iq, 400, 'bad-request');
      }
      const ref = `2@${randomBytes(18).toString('base64')}`;
      this.requests.set(phone, { conn, ref, wrappedCompanionEphemeral: wrapped });
      this.ctx.counters.pairingCodeRequests++;
      this.ctx.events.emit('pairing-code-requested', conn, phone);
      return iqResult(iq, [
        {
          tag: 'link_code_companion_reg',
          attrs: {},
          content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(ref) }],
        },
      ]);
    }
    if (stage?.attrs.stage === 'companion_finish') {
      const request = phone ? this.requests.get(phone) : undefined;
      const ref = bytes(child(stage, 'link_code_pairing_ref')).toString();
      if (!request || request.conn !== conn || request.ref !== ref) return iqError(iq, 404, 'item-not-found');
      // Answered first, as the server relays it to the phone: whatever the phone decides comes later.
      await conn.send(iqResult(iq));
      request.onFinish?.(stage);
      return undefined;
    }
    return iqError(iq, 400, 'bad-request');
  }

  private async waitForRequest(phone: string, timeoutMs: number): Promise<CodeRequest> {
    const pending = this.requests.get(phone);
    if (pending?.conn.isOpen) return pending;
    await waitForEvent(this.ctx.events, 'pairing-code-requested', (_conn, asked) => asked === phone, {
      timeout: timeoutMs,
    }).catch(() => {
      throw new Error(`no pairing code request for +${phone} within ${timeoutMs} ms`);
    });
    const request = this.requests.get(phone);
    if (!request) throw new Error(`the pairing code request for +${phone} went away`);
    return request;
  }

  private waitForFinish(request: CodeRequest, timeoutMs: number): Promise<BinaryNode> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.ctx.events.off('close', onClose);
        request.onFinish = undefined;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no companion_finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const onClose = (conn: SimConnection) => {
        if (conn !== request.conn) return;
        done();
        reject(new Error('the companion closed its connection before companion_finish'));
      };
      this.ctx.events.on('close', onClose);
      request.onFinish = (stage) => {
        done();
        resolve(stage);
      };
    });
  }
}
