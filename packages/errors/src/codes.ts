/**
 * The registry of stable error codes. Clients branch on `code`, so a code is never renamed or
 * reused for another meaning; add new ones instead. Each maps to the HTTP status it answers with.
 */
export const ERROR_CODES = {
  // 400: the request itself is wrong
  VALIDATION_FAILED: 400,
  /** The path or query string is not valid percent-encoding (`%zz`, a cut `%4`, bytes that are not UTF-8). */
  BAD_URL: 400,
  INVALID_RECIPIENT: 400,
  INVALID_JSON: 400,
  INVALID_PHONE: 400,
  /** More numbers in one contacts check than a call may carry (the limit is in the message). */
  TOO_MANY_NUMBERS: 400,
  /** A reply or reaction names a message that this session does not have (by wagw id). */
  REFERENCED_MESSAGE_NOT_FOUND: 400,
  /** A webhook URL resolves to a private, loopback or link-local address not allowed by config (SSRF). */
  WEBHOOK_URL_FORBIDDEN: 400,
  /** A media upload (multipart/form-data) carried no file part. */
  MEDIA_FILE_MISSING: 400,
  /** A chat id that is neither a phone number, a user JID (…@s.whatsapp.net, …@lid) nor a group id (…@g.us). */
  INVALID_CHAT_ID: 400,
  /** A `cursor` that no page of this list handed out. */
  INVALID_CURSOR: 400,
  // 401/403: who is asking
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  /** The group operation needs admin rights in the group, and the session's account is not an admin. */
  GROUP_NOT_ADMIN: 403,
  /** A signed media link whose signature does not match, or whose time has passed. */
  MEDIA_LINK_INVALID: 403,
  /** A state-changing request made with the dashboard cookie lacks X-CSRF-Token, or sends the wrong one. */
  CSRF_TOKEN_INVALID: 403,
  /** A state-changing request with the dashboard cookie came from another site (Sec-Fetch-Site). */
  CROSS_SITE_REQUEST_REFUSED: 403,
  // 404/405
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  /** The session's account is not a participant of this group (or the group does not exist). */
  GROUP_NOT_FOUND: 404,
  /** The invite code (or link) is unknown, revoked or expired. */
  GROUP_INVITE_INVALID: 404,
  /** The session's chat list has no such chat (see docs/chats.md). */
  CHAT_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  /** No message carries this bulk batch id. */
  BATCH_NOT_FOUND: 404,
  /** The session has no current QR (not waiting for a scan, or the last one expired). */
  QR_NOT_AVAILABLE: 404,
  /** No pairing code has been obtained (yet) for the session's latest pairing request. */
  PAIRING_CODE_NOT_AVAILABLE: 404,
  WEBHOOK_NOT_FOUND: 404,
  DEAD_LETTER_NOT_FOUND: 404,
  /** No stored media has this id (a malformed id included). */
  MEDIA_NOT_FOUND: 404,
  /** /dashboard was asked for but apps/dashboard/dist has not been built (npm run build -w @wagw/dashboard). */
  DASHBOARD_NOT_BUILT: 404,
  METHOD_NOT_ALLOWED: 405,
  // 409/413/415/416/422: conflicts with current state
  CONFLICT: 409,
  SESSION_STATE_CONFLICT: 409,
  /** Another live session already has this name (names are reusable after deletion). */
  SESSION_NAME_TAKEN: 409,
  /** The operation needs the session's live WhatsApp socket, and no worker has it open right now. */
  SESSION_NOT_OPEN: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  /** The global webhook from configuration (id `config`) is changed in the environment, not the API. */
  WEBHOOK_READ_ONLY: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  /** A media file the message type cannot carry (a PNG sticker), or bytes that are not what the request declares. */
  UNSUPPORTED_MEDIA: 422,
  /** The Range asked for lies outside the media (answered with `Content-Range: bytes *\/size`). */
  MEDIA_RANGE_NOT_SATISFIABLE: 416,
  // 429: slow down
  RATE_LIMITED: 429,
  /** The key already holds SSE_MAX_STREAMS_PER_KEY open `GET /api/events` streams on this replica. */
  TOO_MANY_EVENT_STREAMS: 429,
  // 5xx: our side
  INTERNAL_ERROR: 500,
  /** The worker that owns the session does not know the operation (an older version mid-rollout). */
  SESSION_METHOD_UNSUPPORTED: 501,
  /** WhatsApp answered a query on the session's socket with an error, or not at all. */
  WHATSAPP_QUERY_FAILED: 502,
  DATABASE_UNAVAILABLE: 503,
  QUEUE_UNAVAILABLE: 503,
  SERVICE_OVERLOADED: 503,
  SHUTTING_DOWN: 503,
  CIRCUIT_OPEN: 503,
  /** The media store is unreachable (disk or object store), or this API was built without one. */
  MEDIA_STORE_UNAVAILABLE: 503,
  REQUEST_TIMEOUT: 504,
  /** The worker that owns the session did not answer within the deadline (busy, stalled or just died). */
  SESSION_OWNER_TIMEOUT: 504,
  // Non-HTTP failures surfaced by processes (config, startup)
  CONFIG_INVALID: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function statusForCode(code: ErrorCode): number {
  return ERROR_CODES[code];
}
