/**
 * The production topology docker-compose.yml deploys on one host, and the one the topology tests
 * (apps/worker/test/topology.ts) run with real processes: a test parses the compose file and
 * checks it against this, so the two cannot drift apart.
 */
export const DEPLOYED_TOPOLOGY = {
  /** API replicas behind the nginx load balancer (deploy/nginx.conf). */
  apis: 2,
  /** Session-owning worker processes. */
  workers: 3,
  /** The scheduler runs once: its job schedulers are singletons in Redis anyway. */
  schedulers: 1,
} as const;
