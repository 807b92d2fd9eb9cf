/**
 * Our own Redis keys (not BullMQ's), all under the deployment prefix so deployments and test runs
 * sharing one Redis never collide.
 */
export function redisKeys(prefix: string) {
  return {
    heartbeat: (role: string, instanceId: string) => `${prefix}:heartbeat:${role}:${instanceId}`,
    heartbeatPattern: `${prefix}:heartbeat:*`,
    /**
     * Sorted set of the instance ids of `role` that beat recently (score: last beat, epoch ms). It
     * outlives the heartbeats, so health can tell "a worker died" from "there never was one".
     */
    heartbeatSeen: (role: string) => `${prefix}:heartbeat-seen:${role}`,
    lease: (sessionId: string) => `${prefix}:lease:${sessionId}`,
    leaseGeneration: (sessionId: string) => `${prefix}:lease-gen:${sessionId}`,
    events: `${prefix}:events`,
    /** The current QR of a session waiting to be paired (short TTL: a QR expires within a minute). */
    qr: (sessionId: string) => `${prefix}:qr:${sessionId}`,
    /** A pending pairing-code request `{ phone, requestedAt }` for the session's owner (short TTL). */
    pairingRequest: (sessionId: string) => `${prefix}:pairing-request:${sessionId}`,
    /** The pairing code the owner obtained from WhatsApp for that request (short TTL). */
    pairingCode: (sessionId: string) => `${prefix}:pairing-code:${sessionId}`,
    /**
     * Counter bumped by the API after every webhook change; workers compare it before using their
     * cached webhook lists, so a change is seen by the very next event dispatched.
     */
    webhooksVersion: `${prefix}:webhooks:version`,
    /** A webhook's recent delivery attempts, newest first, capped (see webhook-delivery-log.ts). */
    webhookDeliveries: (webhookId: string) => `${prefix}:webhook-deliveries:${webhookId}`,
    /**
     * Per-endpoint delivery guards shared by every worker (apps/worker/src/webhooks/endpoint-guards.ts):
     * the slots in flight (a sorted set of holder tokens scored by when they expire), the breaker
     * (a hash: consecutive failures, open-until in Redis time) and its half-open probe (SET NX).
     */
    webhookEndpointSlots: (webhookId: string) => `${prefix}:webhook-endpoint:${webhookId}:slots`,
    webhookEndpointBreaker: (webhookId: string) => `${prefix}:webhook-endpoint:${webhookId}:breaker`,
    webhookEndpointProbe: (webhookId: string) => `${prefix}:webhook-endpoint:${webhookId}:probe`,
    /**
     * Where the last outbox reconciliation run stopped (a message id): the next run goes on from
     * there, so each run reads a bounded slice of a large outbox. Losing it only restarts the walk.
     */
    outboxCursor: `${prefix}:outbox-reconciliation:cursor`,
    /**
     * A session's database writes that could not be made while the database was unavailable (a
     * list of JSON entries, oldest first), replayed by the session's owner (messaging/db-spool.ts).
     */
    dbSpool: (sessionId: string) => `${prefix}:db-spool:${sessionId}`,
    /**
     * Session RPC (session-rpc-client.ts / session-rpc-server.ts): the requests waiting for one
     * worker (a list), the replies waiting for one API replica (a list), and each request's claim
     * token, whose TTL is the request's deadline in Redis' own clock.
     */
    rpcRequests: (workerId: string) => `${prefix}:rpc:requests:${workerId}`,
    rpcReplies: (replicaId: string) => `${prefix}:rpc:replies:${replicaId}`,
    rpcPending: (requestId: string) => `${prefix}:rpc:pending:${requestId}`,
    /** A number's contacts-check answer for one session (JSON, TTL CONTACT_CHECK_TTL). */
    contactCheck: (sessionId: string, phone: string) => `${prefix}:contact-check:${sessionId}:${phone}`,
    /** A session's token bucket for contact lookups on WhatsApp (a hash: tokens, updated-at). */
    contactCheckBudget: (sessionId: string) => `${prefix}:contact-check-budget:${sessionId}`,
    /** Pub/sub channel: "look at your sessions now" (payload: a session id, or '*' for all). */
    reconcileChannel: `${prefix}:reconcile`,
    /**
     * Pub/sub channel: "this session's send queue has new jobs" (payload: the session id). Its owner
     * runs the queue's consumer only while there is work (messaging/on-demand-consumer.ts).
     */
    sendWakeChannel: `${prefix}:send-wake`,
  };
}
