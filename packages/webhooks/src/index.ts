export { EVENT_NAMES, type EventName, isValidEventFilter, matchesEventFilter } from './event-names.js';
export { type PostResult, parseRetryAfter, postWebhook } from './http-post.js';
export {
  deliveryHeaders,
  generateWebhookSecret,
  isReservedHeaderName,
  isValidWebhookSecret,
  signWebhook,
  verifyWebhook,
  WEBHOOK_HEADERS,
} from './signature.js';
export {
  checkWebhookUrl,
  createNetworkPolicy,
  guardedLookup,
  type NetworkPolicy,
  parseNetworkList,
  type UrlCheck,
} from './url-guard.js';
