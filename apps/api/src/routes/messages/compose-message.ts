import { type Message, type NewMessage, newId } from '@wagw/db';
import type { ErrorCode } from '@wagw/errors';
import { canonicalMimetype, type MediaMessageType } from '@wagw/media';
import {
  type MediaSource,
  type MessagePayload,
  type MessageRef,
  messagePayload,
  normalizeSendTarget,
  waMessageIdFor,
} from '@wagw/queue';
import { mentionJids } from './mentions-input.js';
import type { InlineFile, MediaForRequest } from './message-media.js';
import type { SendMessageInput } from './messages.schemas.js';
import { buildVcard, vcardDisplayName } from './vcard.js';

/** What a message row is made of, before it has an id. */
export interface MessageDraft {
  remoteJid: string;
  type: MessagePayload['type'];
  payload: MessagePayload;
}

/** What a media message carries beside its file. */
interface MediaFields {
  caption?: string;
  fileName?: string;
  mimetype?: string;
  /** JIDs, as `mentionJids` made them. */
  mentions?: string[];
}

/**
 * A media message whose file came inline (`media.base64`): checked, but stored (and its payload
 * written) only by `settleDraft`, once every message of the request is valid.
 */
interface InlineDraft {
  remoteJid: string;
  type: MediaMessageType;
  fields: MediaFields;
  inline: InlineFile;
}

export type Draft = MessageDraft | InlineDraft;

interface ComposeFailure {
  code: ErrorCode;
  message: string;
  /** The offending field. */
  path: string;
  /** More about it (the limit a file went over). */
  details?: Record<string, unknown>;
}

export type ComposeResult = { ok: true; draft: Draft } | { ok: false; error: ComposeFailure };

/** Looks up a message by wagw id; the caller scopes it to the session. */
type FindMessage = (id: string) => Promise<Message | null>;

/** What composing needs besides the input: the session's messages and this request's media. */
export interface ComposeContext {
  findMessage: FindMessage;
  media: MediaForRequest;
}

/**
 * Turns validated input into the stored `messagePayload`: normalises the recipient, resolves
 * the message a reply quotes or a reaction targets into its WhatsApp key, and checks a media
 * message's file, so the worker needs no further lookup. Failures are values (not throws) so a bulk
 * request can report all of them; only an unavailable media store throws (503, for the request).
 */
export async function composeMessage(
  sessionId: string,
  input: SendMessageInput,
  context: ComposeContext,
): Promise<ComposeResult> {
  const recipient = normalizeSendTarget(input.to);
  if (!recipient.ok) {
    return fail('INVALID_RECIPIENT', `invalid recipient "${input.to}": ${recipient.reason}`, 'to');
  }
  const remoteJid = recipient.jid;
  switch (input.type) {
    case undefined:
    case 'text':
      return ok(remoteJid, { type: 'text', text: input.text, ...mentionsOf(input) });
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
      const quoted = await resolveRef(sessionId, input.quotedMessageId, context.findMessage);
      if (!quoted) return notFound(input.quotedMessageId, sessionId, 'quotedMessageId');
      const text = typeof quoted.message.payload.text === 'string' ? quoted.message.payload.text : undefined;
      return ok(remoteJid, {
        type: 'reply',
        text: input.text,
        ...mentionsOf(input),
        quoted: { ...quoted.ref, ...(text !== undefined ? { text } : {}) },
      });
    }
    case 'reaction': {
      const target = await resolveRef(sessionId, input.messageId, context.findMessage);
      if (!target) return notFound(input.messageId, sessionId, 'messageId');
      return ok(remoteJid, { type: 'reaction', emoji: input.emoji, target: target.ref });
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'voice':
    case 'document':
    case 'sticker': {
      const { to: _to, type, media, ...rest } = input;
      const prepared = await context.media.prepare({ type, media, mimetype: input.mimetype });
      // `image/jpg` agrees with JPEG bytes, but WhatsApp is sent the registered name.
      const fields: MediaFields = {
        ...rest,
        ...(rest.mimetype === undefined ? {} : { mimetype: canonicalMimetype(rest.mimetype) }),
        ...('mentions' in rest ? mentionsOf(rest) : {}),
      };
      if (!prepared.ok) return { ok: false, error: prepared.error };
      if ('inline' in prepared)
        return { ok: true, draft: { remoteJid, type, fields, inline: prepared.inline } };
      return ok(remoteJid, mediaPayload(type, fields, prepared.media));
    }
  }
}

/** `mentions` as JIDs, when the input has any (the schema checked each one). */
function mentionsOf(input: { mentions?: string[] }): { mentions?: string[] } {
  return input.mentions === undefined ? {} : { mentions: mentionJids(input.mentions) };
}

function mediaPayload(type: MediaMessageType, fields: MediaFields, media: MediaSource): MessagePayload {
  return { type, media, ...fields };
}

/**
 * The draft of a message whose request is valid, with its payload: an inline file is stored now
 * (once per request, see `mediaForRequest`). Throws 503 MEDIA_STORE_UNAVAILABLE when the store
 * fails; then no row is written.
 */
export async function settleDraft(draft: Draft, media: MediaForRequest): Promise<MessageDraft> {
  if (!('inline' in draft)) return draft;
  const stored = await media.store(draft.inline);
  return {
    remoteJid: draft.remoteJid,
    type: draft.type,
    payload: mediaPayload(draft.type, draft.fields, stored),
  };
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
  const mediaId = mediaIdOf(draft.payload);
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
    // A stored file is referenced from the start, so retention keeps it while the message waits.
    ...(mediaId === undefined ? {} : { mediaId }),
  };
}

function mediaIdOf(payload: MessagePayload): string | undefined {
  return 'media' in payload && 'id' in payload.media ? payload.media.id : undefined;
}
