export { isValidEventFilter, matchesEventFilter } from './event-names.js';
export { type PostResult, postWebhook } from './http-post.js';
export { InvalidNetworkError, parseNetworkList } from './network-list.js';
export {
  deliveryHeaders,
  generateWebhookSecret,
  isReservedHeaderName,
  isValidWebhookSecret,
  verifyWebhook,
  WEBHOOK_HEADERS,
} from './signature.js';
export { addressGuard, checkWebhookUrl, createNetworkPolicy, type NetworkPolicy } from './url-guard.js';
