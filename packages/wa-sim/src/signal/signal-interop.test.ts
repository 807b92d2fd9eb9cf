import {
  type AuthenticationCreds,
  addTransactionCapability,
  type BinaryNode,
  DEFAULT_CONNECTION_CONFIG,
  encodeWAMessage,
  extractDeviceJids,
  getNextPreKeysNode,
  initAuthCreds,
  parseAndInjectE2ESessions,
  proto,
  type SignalKeyStoreWithTransaction,
  USyncQuery,
  unpadRandomMax16,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { storePreKeyUpload } from '../flows/prekey-upload.js';
import { companionBundle } from '../messaging/peer-directory.js';
import { createMemoryKeyStore } from '../testing/memory-auth-state.js';
import { World } from '../world/world.js';
import {
  buildKeyBundleAnswer,
  buildUsyncAnswer,
  messageText,
  PeerUser,
  type UsyncDirectoryEntry,
} from './index.js';

const COMPANION_LID = '100200300400500:5@lid';
const result = (child: BinaryNode): BinaryNode => ({
  tag: 'iq',
  attrs: { type: 'result' },
  content: [child],
});
const keyRequest = (...jids: string[]): BinaryNode => ({
  tag: 'iq',
  attrs: { xmlns: 'encrypt', type: 'get' },
  content: [{ tag: 'key', attrs: {}, content: jids.map((jid) => ({ tag: 'user', attrs: { jid } })) }],
});
const decodeBaileys = (plaintext: Uint8Array) => proto.Message.decode(unpadRandomMax16(plaintext));

interface BaileysSignalSide {
  creds: AuthenticationCreds;
  keys: SignalKeyStoreWithTransaction;
  repository: ReturnType<typeof DEFAULT_CONNECTION_CONFIG.makeSignalRepository>;
}

/** Baileys' real Signal repository (the one its socket uses), wired to in-memory keys. */
function baileysSignalSide(): BaileysSignalSide {
  const logger = pino({ level: 'silent' });
  const creds = initAuthCreds();
  const keys = addTransactionCapability(createMemoryKeyStore(), logger, {
    maxCommitRetries: 1,
    delayBetweenTriesMs: 0,
  });
  const repository = DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds, keys }, logger);
  return { creds, keys, repository };
}

describe('simulated peer ↔ Baileys Signal repository', () => {
  it('decrypts what Baileys encrypts from a served bundle, and replies on the same session', async () => {
    const bob = new PeerUser({ phone: '15557654321', lid: '888777666555444' });
    const baileys = baileysSignalSide();
    const answer = buildKeyBundleAnswer(keyRequest(bob.lid), (jid) =>
      jid === bob.lid ? bob.device(0).claimBundle() : undefined,
    );
    await parseAndInjectE2ESessions(result(answer), baileys.repository);

    for (const text of ['first', 'second']) {
      const sent = await baileys.repository.encryptMessage({
        jid: bob.lid,
        data: encodeWAMessage({ conversation: text }),
      });
      // Until the peer answers, every copy re-carries the prekey header.
      expect(sent.type).toBe('pkmsg');
      const got = await bob.device(0).decrypt(COMPANION_LID, 'pkmsg', sent.ciphertext);
      expect(messageText(got)).toBe(text);
    }

    const reply = await bob.device(0).encrypt(COMPANION_LID, { conversation: 'pong' }, () => undefined);
    expect(reply.type).toBe('msg');
    const plain = await baileys.repository.decryptMessage({
      jid: bob.lid,
      type: 'msg',
      ciphertext: reply.ciphertext,
    });
    expect(decodeBaileys(plain).conversation).toBe('pong');

    const third = await baileys.repository.encryptMessage({
      jid: bob.lid,
      data: encodeWAMessage({ conversation: 'x' }),
    });
    expect(third.type).toBe('msg');
    expect(messageText(await bob.device(0).decrypt(COMPANION_LID, 'msg', third.ciphertext))).toBe('x');
  });

  it('opens a session from the companion’s uploaded prekeys (pkmsg), then follows up with msg', async () => {
    const carol = new PeerUser({ phone: '15559990000' });
    const baileys = baileysSignalSide();
    const { node } = await getNextPreKeysNode({ creds: baileys.creds, keys: baileys.keys }, 3);
    // The server's own path: store the upload on the companion, hand out bundles from the world.
    const world = new World();
    const companion = world.addCompanion(world.createAccount({ lidUser: '100200300400500' }), {
      deviceId: 5,
      keyIndex: 1,
      noiseKey: Buffer.alloc(32),
      identityKey: Buffer.alloc(32),
      registrationId: 0,
      signedPreKey: { keyId: 0, publicKey: Buffer.alloc(32), signature: Buffer.alloc(64) },
      preKeys: new Map(),
      signedDeviceIdentity: Buffer.alloc(0),
      platform: 'test',
    });
    expect(companion.lid).toBe(COMPANION_LID);
    expect(storePreKeyUpload(companion, node)).toBe(3);
    expect(companion.registrationId).toBe(baileys.creds.registrationId);
    expect(companion.identityKey).toEqual(Buffer.from(baileys.creds.signedIdentityKey.public));

    const first = await carol
      .device(0)
      .encrypt(COMPANION_LID, { conversation: 'hello' }, () => companionBundle(world, companion));
    expect(first.type).toBe('pkmsg');
    expect(companion.preKeys.size).toBe(2); // the server deletes a one-time prekey once handed out
    const plain = await baileys.repository.decryptMessage({
      jid: carol.lid,
      type: 'pkmsg',
      ciphertext: first.ciphertext,
    });
    expect(decodeBaileys(plain).conversation).toBe('hello');

    // Baileys answers, which confirms the session; the peer's next message is a plain WhisperMessage.
    const ack = await baileys.repository.encryptMessage({
      jid: carol.lid,
      data: encodeWAMessage({ conversation: 'ok' }),
    });
    expect(messageText(await carol.device(0).decrypt(COMPANION_LID, ack.type, ack.ciphertext))).toBe('ok');
    const second = await carol.device(0).encrypt(COMPANION_LID, { conversation: 'again' }, () => undefined);
    expect(second.type).toBe('msg');
    const plain2 = await baileys.repository.decryptMessage({
      jid: carol.lid,
      type: 'msg',
      ciphertext: second.ciphertext,
    });
    expect(decodeBaileys(plain2).conversation).toBe('again');
  });

  it('answers unknown devices with item-not-found, which Baileys refuses', async () => {
    const baileys = baileysSignalSide();
    const answer = buildKeyBundleAnswer(keyRequest('999@lid'), () => undefined);
    await expect(parseAndInjectE2ESessions(result(answer), baileys.repository)).rejects.toThrow();
  });
});

describe('usync answers', () => {
  const me: UsyncDirectoryEntry = {
    pn: '15550001111@s.whatsapp.net',
    lid: '100200300400500@lid',
    devices: [{ id: 0 }, { id: 5, keyIndex: 1 }],
  };
  const bob: UsyncDirectoryEntry = {
    pn: '15557654321@s.whatsapp.net',
    lid: '888777666555444@lid',
    devices: [{ id: 0 }],
  };
  const directory = (jid: string) =>
    [me, bob].find((e) => jid.replace(/^\+/, '').split('@')[0] === e.pn.split('@')[0] || jid === e.lid);
  const usyncRequest = (protocols: string[], users: BinaryNode[]): BinaryNode => ({
    tag: 'iq',
    attrs: { xmlns: 'usync', type: 'get' },
    content: [
      {
        tag: 'usync',
        attrs: { context: 'message', mode: 'query', sid: 's1', last: 'true', index: '0' },
        content: [
          { tag: 'query', attrs: {}, content: protocols.map((tag) => ({ tag, attrs: {} })) },
          { tag: 'list', attrs: {}, content: users },
        ],
      },
    ],
  });

  it('lists devices with key-index and the LID, and an empty list for users not on WhatsApp', () => {
    const request = usyncRequest(
      ['devices', 'lid'],
      [me.pn, bob.pn, '15550000000@s.whatsapp.net'].map((jid) => ({ tag: 'user', attrs: { jid } })),
    );
    const parsed = new USyncQuery()
      .withDeviceProtocol()
      .withLIDProtocol()
      .parseUSyncQueryResult(result(buildUsyncAnswer(request, directory)));
    expect(parsed?.list.map((u) => [u.id, u.lid])).toEqual([
      [me.pn, me.lid],
      [bob.pn, bob.lid],
      ['15550000000@s.whatsapp.net', undefined],
    ]);
    const jids = extractDeviceJids(parsed?.list ?? [], '15550001111:5@s.whatsapp.net', me.lid, false);
    // Baileys drops its own device and keeps the phone plus the contact's phone.
    expect(jids.map((d) => `${d.user}:${d.device}`)).toEqual(['15550001111:0', '15557654321:0']);
  });

  it('answers onWhatsApp phone lookups with contact type in/out', () => {
    const request = usyncRequest(
      ['contact'],
      ['+15557654321', '+15550000000'].map((phone) => ({
        tag: 'user',
        attrs: {},
        content: [{ tag: 'contact', attrs: {}, content: phone }],
      })),
    );
    const parsed = new USyncQuery()
      .withContactProtocol()
      .parseUSyncQueryResult(result(buildUsyncAnswer(request, directory)));
    expect(parsed?.list).toEqual([
      { id: bob.pn, contact: true },
      { id: '15550000000@s.whatsapp.net', contact: false },
    ]);
  });
});
