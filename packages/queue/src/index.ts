export {
  createConsumerConnection,
  createProducerConnection,
  pingRedis,
  reconnectBackoff,
  waitUntilReady,
} from './connections.js';
export { DEFAULT_JOB_OPTIONS, type EnqueueOptions, enqueue, enqueueBulk } from './enqueue.js';
export {
  createEvent,
  EVENT_STREAM_MAXLEN,
  type GatewayEvent,
  publishEvent,
  readEvents,
  type StreamedEvent,
} from './events.js';
export { type HeartbeatOptions, type HeartbeatPayload, listHeartbeats, startHeartbeat } from './heartbeat.js';
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
export { isSendQueue, QUEUES, type QueueName, SEND_QUEUE_PREFIX, sendQueueName } from './names.js';
export { normalizeRecipient, type RecipientResult } from './recipients.js';
