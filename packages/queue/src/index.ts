export { type ChatView, type ChatViewSource, chatView, toChatView } from './chat-view.js';
export {
  connectRedis,
  createConsumerConnection,
  createProducerConnection,
  pingRedis,
  type RedisConnection,
  replicaAck,
  scanKeys,
  waitUntilReady,
  writesConfirmed,
} from './connections.js';
export { readContactChecks, writeContactChecks } from './contact-check-cache.js';
export { type ContactViewSource, toContactView } from './contact-view.js';
export {
  DEFAULT_JOB_OPTIONS,
  type EnqueueOptions,
  enqueue,
  enqueueBulk,
  WEBHOOK_BACKOFF_TYPE,
  type WebhookRetryPolicy,
  webhookJobOptions,
} from './enqueue.js';
export {
  batchCompletedEvent,
  createEvent,
  type GatewayEvent,
  publishEvent,
  readEvents,
  sessionStatusEvent,
  WEBHOOK_DISPATCH_GROUP,
} from './events.js';
export {
  type HeartbeatPayload,
  listHeartbeats,
  listRecentlySeen,
  startHeartbeat,
} from './heartbeat.js';
export * from './jobs.js';
export { redisKeys } from './keys.js';
export { createLeaseStore, type Lease, type LeaseStore } from './leases.js';
export { waMessageIdFor } from './message-ids.js';
export {
  MAX_MENTIONS,
  type MediaSource,
  type MediaType,
  type MessagePayload,
  type MessageRef,
  messagePayload,
} from './message-payloads.js';
export {
  type MediaEvent,
  metricsKeys,
  readCounterHash,
  recordDisconnect,
  recordMedia,
} from './metrics-counters.js';
export { QUEUES, sendQueueName } from './names.js';
export {
  listSendQueues,
  type QueueDepths,
  readQueueDepths,
  sendQueuesWithWork,
  sumDepths,
} from './queue-depths.js';
export { normalizeGroupId, normalizeRecipient, normalizeSendTarget } from './recipient-jid.js';
export { createSendQueues, openSendQueue, type SendQueues } from './send-queues.js';
export { createSessionRpcClient, type SessionRpcClient } from './session-rpc-client.js';
export {
  type GroupMetadataView,
  groupMetadataView,
  participantActionResult,
} from './session-rpc-group-methods.js';
export {
  CONTACT_CHECK_MAX_NUMBERS,
  type ContactCheckResult,
  type SessionRpcMethod,
} from './session-rpc-methods.js';
export { type RpcErrorCode, SessionRpcError } from './session-rpc-protocol.js';
export { type SessionRpcHandlers, startSessionRpcServer } from './session-rpc-server.js';
export {
  DELIVERY_LOG_LENGTH,
  type DeliveryAttempt,
  type DeliveryOutcome,
  readDeliveryAttempts,
  recordDeliveryAttempt,
} from './webhook-delivery-log.js';
