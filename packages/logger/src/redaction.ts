/**
 * Paths pino censors before a line is written. Secrets (keys, tokens, signatures), phone numbers and
 * JIDs (personal data), and message bodies (content) never reach log storage. Wildcards in pino
 * cover one level, so the common nestings (req.headers, job data, Baileys payloads) are spelled out.
 */
const SECRET_KEYS = ['apiKey', 'api_key', 'token', 'secret', 'password', 'authorization', 'creds', 'keys'];
const PERSONAL_KEYS = ['phone', 'phoneNumber', 'jid', 'remoteJid', 'participant', 'to', 'from', 'me'];
const CONTENT_KEYS = [
  'text',
  'body',
  'caption',
  'content',
  'conversation',
  'vcard',
  'qr',
  'payload',
  'messages',
];
// `message` is also the field of every serialised error, so it is censored only where it holds content.
const CONTENT_PATHS = ['message', 'msg.message', 'data.message', 'job.data'];

const KEYS = [...SECRET_KEYS, ...PERSONAL_KEYS, ...CONTENT_KEYS];

export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.body',
  'res.headers["set-cookie"]',
  ...CONTENT_PATHS,
  ...KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

export const REDACTED = '[redacted]';
