import type { MediaMessageType } from '@wagw/media';
import { z } from 'zod';
import { mentionsInput as mentions } from './mentions-input.js';

/**
 * The media messages a client sends: `type` names the kind, `media` where the file comes from.
 * Sizes, content and stored ids are checked by the service (they need the config, the bytes and the
 * store), so they fail with their own codes (413 PAYLOAD_TOO_LARGE, 422 UNSUPPORTED_MEDIA, 404
 * MEDIA_NOT_FOUND); what can be told from the JSON alone is a 400 here.
 */

/**
 * No user:password in a URL: it would be stored in the row and logged by whoever fetches it. zod
 * runs this even after the URL check failed, so an unparsable value passes here (and fails there).
 */
const withoutCredentials = (value: string) => {
  if (!URL.canParse(value)) return true;
  const url = new URL(value);
  return url.username === '' && url.password === '';
};

const mediaSource = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'media.url must be an http or https URL' })
      .max(4096)
      .refine(withoutCredentials, 'media.url must not carry credentials (user:password@)')
      .optional()
      .describe(
        'An http(s) URL the worker downloads when it sends (size cap, timeout and the same private-network guard as webhooks); not fetched by the API.',
      ),
    base64: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The file itself, base64 (standard or URL-safe alphabet, no line breaks), at most MEDIA_BASE64_MAX_BYTES once decoded (413 otherwise); stored by the API on intake.',
      ),
    id: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe('The id of a file stored before with POST /api/media (404 MEDIA_NOT_FOUND if none).'),
  })
  .refine((media) => [media.url, media.base64, media.id].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of media.url, media.base64 or media.id',
  })
  .describe('Where the file comes from: exactly one of url, base64 or id.');
export type MediaSourceInput = z.infer<typeof mediaSource>;

const mimetype = z
  .string()
  .trim()
  .max(255)
  .regex(/^[\w.+-]+\/[\w.+-]+\s*(;.*)?$/, 'expected a mimetype such as image/jpeg')
  .optional()
  .describe(
    'The type the client says the file has. It must agree with the bytes (422 otherwise); when absent the type sniffed from the bytes is used.',
  );

const caption = z
  .string()
  .min(1)
  .max(1024)
  .optional()
  .describe('Text shown under the image, video or document.');

const fileName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .optional()
  .describe('The name the document is shown and saved under; none by default.');

/**
 * The fields each kind takes: WhatsApp shows no caption on audio, voice notes or stickers, so
 * there is nothing for a mention to sit in either.
 */
const FIELDS = {
  image: { caption, mimetype, mentions },
  video: { caption, mimetype, mentions },
  audio: { mimetype },
  voice: { mimetype },
  document: { caption, fileName, mimetype, mentions },
  sticker: { mimetype },
} as const satisfies Record<MediaMessageType, Record<string, z.ZodType>>;

const DESCRIPTIONS: Record<MediaMessageType, string> = {
  image: 'An image: JPEG, PNG or WebP.',
  video: 'A video: MP4, 3GPP or QuickTime.',
  audio: 'An audio file, played as music (not a voice note).',
  voice:
    'A push-to-talk voice note. Ogg/Opus goes out as it is; other audio is converted with ffmpeg, and is refused with 422 when ffmpeg is not installed.',
  document: 'Any file, sent as a document.',
  sticker: 'A sticker: WebP.',
};

/** One kind's input; a field it does not take (a caption on a voice note) is a 400 that names it. */
function mediaInput<T extends MediaMessageType>(type: T, to: z.ZodString) {
  return z
    .strictObject(
      { to, type: z.literal(type), media: mediaSource, ...FIELDS[type] },
      {
        error: (issue) =>
          issue.code === 'unrecognized_keys'
            ? `${type} messages take no ${issue.keys.join(', ')}`
            : undefined,
      },
    )
    .describe(DESCRIPTIONS[type]);
}

export function mediaInputs(to: z.ZodString) {
  return [
    mediaInput('image', to),
    mediaInput('video', to),
    mediaInput('audio', to),
    mediaInput('voice', to),
    mediaInput('document', to),
    mediaInput('sticker', to),
  ] as const;
}
