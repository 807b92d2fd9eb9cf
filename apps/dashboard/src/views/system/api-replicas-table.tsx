import { formatTime } from '../../ui/format-time.js';
import { formatBytes, type Health } from './system-types.js';

/** Every API replica beating now (this page's own included), and those that stopped beating. */
export function ApiReplicasTable({ health }: { health: Health }) {
  return (
    <section class="card" aria-labelledby="api-replicas-title">
      <h2 id="api-replicas-title">API replicas ({health.apiReplicas.length})</h2>
      {health.apiReplicas.length === 0 ? (
        <p class="muted">No replica has reported yet.</p>
      ) : (
        <table class="table responsive">
          <caption class="visually-hidden">API replicas and their traffic</caption>
          <thead>
            <tr>
              <th scope="col">Replica</th>
              <th scope="col">Requests</th>
              <th scope="col">5xx</th>
              <th scope="col">In flight</th>
              <th scope="col">Memory</th>
              <th scope="col">Event loop p99</th>
              <th scope="col">Last beat</th>
            </tr>
          </thead>
          <tbody>
            {health.apiReplicas.map((replica) => (
              <tr key={replica.instanceId} data-api-replica={replica.instanceId}>
                <th scope="row" data-label="Replica">
                  {replica.instanceId}
                  {replica.pid ? <div class="muted small">pid {replica.pid}</div> : null}
                </th>
                <td data-label="Requests">{replica.served}</td>
                <td data-label="5xx">{replica.serverErrors}</td>
                <td data-label="In flight">{replica.inFlight}</td>
                <td data-label="Memory">{formatBytes(replica.rss)}</td>
                <td data-label="Event loop p99">{replica.eventLoopDelayP99Ms} ms</td>
                <td data-label="Last beat">{formatTime(replica.lastBeatAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {health.missingApiReplicas.length > 0 ? (
        <p class="error">Stopped beating in the last 10 minutes: {health.missingApiReplicas.join(', ')}</p>
      ) : null}
    </section>
  );
}
