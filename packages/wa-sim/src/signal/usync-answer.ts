import { type BinaryNode, getBinaryNodeChild, getBinaryNodeChildren } from '@whiskeysockets/baileys';
import type { UsyncCounters } from '../observe/counters.js';

/** What the server knows about one user, as far as usync is concerned. */
export interface UsyncDirectoryEntry {
  /** `1555…@s.whatsapp.net` */
  pn: string;
  /** `…@lid` */
  lid: string;
  /** Device ids, 0 = phone. Non-zero devices carry `keyIndex` (the ADV key index, 1 for the first companion). */
  devices: Array<{ id: number; keyIndex?: number }>;
}

/** Looks a user up by a jid (PN or LID, device part ignored) or by a `+1555…` phone number. */
export type UsyncDirectory = (jidOrPhone: string) => UsyncDirectoryEntry | undefined;

/** The protocols (children of `<query>`) this simulator answers; any other requested protocol is left out. */
const ANSWERED = new Set(['devices', 'lid', 'contact']);

/**
 * Content of the `iq type="result"` answering a `usync` query: the `<usync>` node with one `<user>` per
 * requested user. The requested `jid` is echoed because Baileys matches results by it; users that are not
 * on WhatsApp get an empty device list and `<contact type="out"/>`.
 */
export function buildUsyncAnswer(request: BinaryNode, directory: UsyncDirectory): BinaryNode {
  const usync = getBinaryNodeChild(request, 'usync');
  if (!usync) {
    throw new Error('usync IQ without a <usync> child');
  }
  const query = getBinaryNodeChild(usync, 'query')?.content;
  const wanted = (Array.isArray(query) ? query : []).map((p) => p.tag).filter((tag) => ANSWERED.has(tag));
  const users = getBinaryNodeChildren(getBinaryNodeChild(usync, 'list'), 'user');
  return {
    tag: 'usync',
    attrs: { ...usync.attrs },
    content: [{ tag: 'list', attrs: {}, content: users.map((user) => answerUser(user, wanted, directory)) }],
  };
}

/**
 * Counts a usync IQ: every query, and those asking the `contact` protocol (`onWhatsApp`) with the
 * number of users they name, so a test can prove a gateway caches or paces its number checks.
 */
export function countUsync(counters: UsyncCounters, request: BinaryNode): void {
  counters.queries++;
  const usync = getBinaryNodeChild(request, 'usync');
  if (!getBinaryNodeChild(getBinaryNodeChild(usync, 'query'), 'contact')) return;
  counters.contactQueries++;
  counters.contactNumbers += getBinaryNodeChildren(getBinaryNodeChild(usync, 'list'), 'user').length;
}

function answerUser(user: BinaryNode, wanted: string[], directory: UsyncDirectory): BinaryNode {
  // onWhatsApp() asks by phone: <user><contact>+1555…</contact></user>, without a jid attribute.
  const phone = contentText(getBinaryNodeChild(user, 'contact'));
  const requestedJid = user.attrs.jid;
  const entry = directory(requestedJid ?? phone ?? '');
  const jid = requestedJid ?? entry?.pn ?? `${(phone ?? '').replace(/\D/g, '')}@s.whatsapp.net`;
  const content: BinaryNode[] = [];
  for (const protocol of wanted) {
    if (protocol === 'devices') {
      content.push(devicesNode(entry));
    } else if (protocol === 'lid') {
      // Only for PN-requested users: Baileys stores (lid, requested jid) as a LID↔PN pair.
      if (entry && !jid.endsWith('@lid')) {
        content.push({ tag: 'lid', attrs: { val: entry.lid } });
      }
    } else if (protocol === 'contact') {
      content.push({ tag: 'contact', attrs: { type: entry ? 'in' : 'out' } });
    }
  }
  return { tag: 'user', attrs: { jid }, content };
}

function devicesNode(entry: UsyncDirectoryEntry | undefined): BinaryNode {
  const devices = (entry?.devices ?? []).map(
    ({ id, keyIndex }): BinaryNode => ({
      tag: 'device',
      attrs: id === 0 ? { id: '0' } : { id: String(id), 'key-index': String(keyIndex ?? 1) },
    }),
  );
  return { tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: devices }] };
}

function contentText(node: BinaryNode | undefined): string | undefined {
  const content = node?.content;
  if (typeof content === 'string') return content;
  if (content instanceof Uint8Array) return Buffer.from(content).toString('utf8');
  return undefined;
}
