/**
 * Which files each kind of WhatsApp media message can carry. WhatsApp clients render an image or a
 * video only in the formats below (others arrive as an unplayable bubble), a sticker must be WebP,
 * and a voice note is Ogg/Opus; a document may be anything. Checked on the mimetype sniffed from the
 * bytes, so a misnamed file cannot slip through; a client-given mimetype must agree with it.
 */
export const MEDIA_MESSAGE_TYPES = ['image', 'video', 'audio', 'voice', 'document', 'sticker'] as const;
export type MediaMessageType = (typeof MEDIA_MESSAGE_TYPES)[number];

const ACCEPTED: Record<Exclude<MediaMessageType, 'document'>, (mimetype: string) => boolean> = {
  image: (m) => m === 'image/jpeg' || m === 'image/png' || m === 'image/webp',
  video: (m) => m === 'video/mp4' || m === 'video/3gpp' || m === 'video/quicktime',
  audio: (m) => m.startsWith('audio/') || m === 'video/ogg' || m === 'application/ogg',
  // Any audio: what is not Ogg/Opus already is converted with ffmpeg (see isVoiceReady).
  voice: (m) => m.startsWith('audio/') || m === 'video/ogg' || m === 'application/ogg',
  sticker: (m) => m === 'image/webp',
};

/** The bare type of a mimetype, lower-cased, without parameters (`audio/ogg; codecs=opus` → `audio/ogg`). */
export function essence(mimetype: string): string {
  return (mimetype.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * Other names clients give the types the sniffer reports (file-type's names on the right). Without
 * them the everyday `image/jpg` or `audio/mp3` of a client would "disagree" with its own bytes.
 */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-mpeg': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  // M4A: `audio/mp4` is the registered name, file-type says `audio/x-m4a`.
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-aac': 'audio/aac',
  'audio/x-flac': 'audio/flac',
  'audio/opus': 'audio/ogg',
  // M4V is MP4 with Apple's brand; file-type names it apart, players (WhatsApp's too) do not.
  'video/x-m4v': 'video/mp4',
  'application/x-pdf': 'application/pdf',
};

const canonical = (mimetype: string): string => {
  const bare = essence(mimetype);
  return ALIASES[bare] ?? bare;
};

/**
 * A client's mimetype under its registered name (`image/jpg` → `image/jpeg`), parameters kept;
 * any other mimetype as given. What goes to WhatsApp is then a name every client knows.
 */
export function canonicalMimetype(mimetype: string): string {
  const alias = ALIASES[essence(mimetype)];
  if (alias === undefined) return mimetype;
  const params = mimetype.indexOf(';');
  return params < 0 ? alias : `${alias}${mimetype.slice(params)}`;
}

/**
 * Containers the sniffer stops at: Office 97 files (.doc, .xls, .msg) are all CFB, and zip-based
 * formats it does not know are `application/zip`. A document declared as a more specific type of
 * such a file is taken at its word; any other disagreement (a PDF that is an executable) is refused.
 */
const GENERIC_CONTAINERS = new Set(['application/zip', 'application/x-cfb']);

export type MediaKindCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether a file of `sniffed` type may go out as `type`. `declared`, the client's mimetype, must
 * name the same essence as the bytes when both are known, up to the aliases above and, for
 * documents, the generic containers (`application/octet-stream` sniffed means "unknown": then the
 * declared one is taken for documents only).
 */
export function checkMediaKind(
  type: MediaMessageType,
  sniffed: string,
  declared?: string | undefined,
): MediaKindCheck {
  const bytes = canonical(sniffed);
  const unknown = bytes === 'application/octet-stream';
  if (declared !== undefined && !unknown && canonical(declared) !== bytes) {
    const refined = type === 'document' && GENERIC_CONTAINERS.has(bytes);
    if (!refined) return { ok: false, reason: `the file is ${bytes}, not ${essence(declared)} as declared` };
  }
  if (type === 'document') return { ok: true };
  const a = /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
  if (unknown) return { ok: false, reason: `the file is not a recognisable ${type}` };
  return ACCEPTED[type](bytes) ? { ok: true } : { ok: false, reason: `${a} cannot be ${bytes}` };
}

/** The mimetype WhatsApp expects on a voice note, and that converted audio gets. */
export const VOICE_MIMETYPE = 'audio/ogg; codecs=opus';

/**
 * An Ogg file goes out as a voice note as it is: WhatsApp's own notes are Ogg/Opus, and the sniffer
 * cannot see the codec inside the container, so other Ogg codecs (Vorbis, rare in practice) are sent
 * unconverted too. Anything else (MP3, AAC, WAV...) is converted first.
 */
export function isVoiceReady(sniffed: string): boolean {
  const bytes = essence(sniffed);
  return (
    bytes === 'audio/ogg' || bytes === 'audio/opus' || bytes === 'video/ogg' || bytes === 'application/ogg'
  );
}
