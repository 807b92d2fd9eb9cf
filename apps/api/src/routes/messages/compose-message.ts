import { type Message, type NewMessage, newId } from '@wagw/db';
import type { ErrorCode } from '@wagw/errors';
import {
  type MessagePayload,
  type MessageRef,
  messagePayload,
  normalizeRecipient,
  waMessageIdFor,
} from '@wagw/queue';
import type { SendMessageInput } from './messages.schemas.js';
import { buildVcard, vcardDisplayName } from './vcard.js';

/** What a message row is made of, before it has an id. */
export interface MessageDraft {
  remoteJid: string;
  type: MessagePayload['type'];
  payload: MessagePayload;
}

interface ComposeFailure {
  code: ErrorCode;
  message: string;
  /** The offending field. */
  path: string;
}

export type ComposeResult = { ok: true; draft: MessageDraft } | { ok: false; error: ComposeFailure };

/** Looks up a message by wagw id; the caller scopes it to the session. */
export type FindMessage = (id: string) => Promise<Message | null>;

/**
 * Turns validated input into the stored `messagePayload`: normalises the recipient and resolves
 * the message a reply quotes or a reaction targets into its WhatsApp key, so the worker needs no
 * further lookup. Failures are values (not throws) so a bulk request can report all of them.
 */
export async function composeMessage(
  sessionId: string,
  input: SendMessageInput,
  findMessage: FindMessage,
): Promise<ComposeResult> {
  const recipient = normalizeRecipient(input.to);
  if (!recipient.ok) {
    return fail('INVALID_RECIPIENT', `invalid recipient "${input.to}": ${recipient.reason}`, 'to');
  }
  const remoteJid = recipient.jid;
  switch (input.type) {
    case undefined:
    case 'text':
      return ok(remoteJid, { type: 'text', text: input.text });
    case 'location':
      return ok(remoteJid, {
        type: 'location',
        latitude: input.latitude,
        longitude: input.longitude,
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.address !== undefined ? { address: input.address } : {}),
      });
    case 'contact': {
      const vcard = input.contact ? buildVcard(input.contact) : (input.vcard ?? '');
      const displayName = input.contact?.fullName ?? vcardDisplayName(vcard);
      return ok(remoteJid, { type: 'contact', displayName, vcard });
    }
    case 'reply': {
      const quoted = await resolveRef(sessionId, input.quotedMessageId, findMessage);
      if (!quoted) return notFound(input.quotedMessageId, sessionId, 'quotedMessageId');
      const text = typeof quoted.message.payload.text === 'string' ? quoted.message.payload.text : undefined;
      return ok(remoteJid, {
        type: 'reply',
        text: input.text,
        quoted: { ...quoted.ref, ...(text !== undefined ? { text } : {}) },
      });
    }
    case 'reaction': {
      const target = await resolveRef(sessionId, input.messageId, findMessage);
      if (!target) return notFound(input.messageId, sessionId, 'messageId');
      return ok(remoteJid, { type: 'reaction', emoji: input.emoji, target: target.ref });
    }
  }
}

/** A message of this session that has a WhatsApp id (every outbound row has one from the start). */
async function resolveRef(sessionId: string, id: string, findMessage: FindMessage) {
  const message = await findMessage(id);
  if (!message || message.sessionId !== sessionId || !message.waMessageId) return null;
  const ref: MessageRef = {
    id: message.waMessageId,
    remoteJid: message.remoteJid,
    fromMe: message.direction === 'outbound',
  };
  return { message, ref };
}

function ok(remoteJid: string, payload: MessagePayload): ComposeResult {
  return { ok: true, draft: { remoteJid, type: payload.type, payload } };
}

function fail(code: ErrorCode, message: string, path: string): ComposeResult {
  return { ok: false, error: { code, message, path } };
}

function notFound(id: string, sessionId: string, path: string): ComposeResult {
  return fail('REFERENCED_MESSAGE_NOT_FOUND', `message ${id} not found in session ${sessionId}`, path);
}

/** The row of an accepted outbound message (single or in a batch); its id is also the job id. */
export function outboundRow(
  sessionId: string,
  draft: MessageDraft,
  batchId?: string,
): NewMessage & { id: string } {
  const id = newId();
  return {
    id,
    sessionId,
    direction: 'outbound',
    waMessageId: waMessageIdFor(id),
    remoteJid: draft.remoteJid,
    type: draft.type,
    // Parsed once more so a row can only ever hold what the worker's schema accepts.
    payload: messagePayload.parse(draft.payload),
    ...(batchId === undefined ? {} : { batchId }),
  };
}
