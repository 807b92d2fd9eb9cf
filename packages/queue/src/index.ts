export {
  createConsumerConnection,
  createProducerConnection,
  pingRedis,
  reconnectBackoff,
  waitUntilReady,
} from './connections.js';
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
  type BatchSummary,
  batchCompletedEvent,
  createEvent,
  EVENT_STREAM_MAXLEN,
  type GatewayEvent,
  publishEvent,
  readEvents,
  type StreamedEvent,
  WEBHOOK_DISPATCH_GROUP,
} from './events.js';
export {
  DEFAULT_SEEN_WINDOW_MS,
  type HeartbeatOptions,
  type HeartbeatPayload,
  listHeartbeats,
  listRecentlySeen,
  startHeartbeat,
} from './heartbeat.js';
export * from './jobs.js';
export { type RedisKeys, redisKeys } from './keys.js';
export { createLeaseStore, type Lease, type LeaseOwner, type LeaseStore } from './leases.js';
export { waMessageIdFor } from './message-ids.js';
export {
  type MessagePayload,
  type MessageRef,
  type MessageType,
  messagePayload,
} from './message-payloads.js';
export { metricsKeys, readCounterHash, recordDisconnect } from './metrics-counters.js';
export { isSendQueue, QUEUES, type QueueName, SEND_QUEUE_PREFIX, sendQueueName } from './names.js';
export {
  EMPTY_DEPTHS,
  listSendQueues,
  type QueueDepths,
  readQueueDepths,
  sumDepths,
} from './queue-depths.js';
export { normalizeRecipient, type RecipientResult } from './recipients.js';
export { createSendQueues, type SendQueues } from './send-queues.js';
