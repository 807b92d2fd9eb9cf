import { formatTime } from '../../ui/format-time.js';
import { ApiReplicasTable } from './api-replicas-table.js';
import {
  type BreakerState,
  type Depths,
  formatBytes,
  type Health,
  type OwnedSession,
} from './system-types.js';

const STATUS_TONE: Record<Health['status'], string> = {
  ok: 'badge-ok',
  degraded: 'badge-wait',
  error: 'badge-bad',
};
const BREAKER_TONE: Record<BreakerState, string> = {
  closed: 'badge-ok',
  'half-open': 'badge-wait',
  open: 'badge-bad',
};

function Badge({ tone, text }: { tone: string; text: string }) {
  return <span class={`badge ${tone}`}>{text}</span>;
}

/** The top of GET /api/health: the status, why it is not ok, and each dependency check. */
export function StatusCard({ health }: { health: Health }) {
  return (
    <section class="card" aria-labelledby="health-status-title">
      <h2 id="health-status-title">
        Status <Badge tone={STATUS_TONE[health.status]} text={health.status} />
      </h2>
      {health.reasons.length > 0 ? (
        <ul class="reasons">
          {health.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      ) : (
        <p class="muted">Every check passes.</p>
      )}
      <dl class="summary">
        {Object.entries(health.checks).map(([name, check]) =>
          check ? (
            <div key={name}>
              <dt>{name}</dt>
              <dd>
                <Badge tone={check.ok ? 'badge-ok' : 'badge-bad'} text={check.ok ? 'ok' : 'failing'} />{' '}
                {check.latencyMs} ms{check.backend ? ` (${check.backend})` : ''}
                {check.error ? <div class="small">{check.error}</div> : null}
              </dd>
            </div>
          ) : null,
        )}
        <div>
          <dt>Sessions</dt>
          <dd>
            {health.sessions ? `${health.sessions.connected} open of ${health.sessions.total}` : 'unknown'}
          </dd>
        </div>
        <div>
          <dt>Dead letters</dt>
          <dd>
            {health.webhooks.deadLetters
              ? `${health.webhooks.deadLetters.dead} dead, ${health.webhooks.deadLetters.replaying} replaying`
              : 'unknown'}
          </dd>
        </div>
        <div>
          <dt>Checked</dt>
          <dd>{formatTime(health.timestamp)}</dd>
        </div>
      </dl>
    </section>
  );
}

/** The rest of GET /api/health: who is working on what, the breakers, the queues. */
export function HealthDetails({ health, sessions }: { health: Health; sessions: readonly OwnedSession[] }) {
  return (
    <>
      <ApiReplicasTable health={health} />
      <WorkersTable health={health} sessions={sessions} />
      <BreakersTable breakers={health.circuitBreakers} />
      <QueuesTable queues={health.queues} />
    </>
  );
}

function WorkersTable({ health, sessions }: { health: Health; sessions: readonly OwnedSession[] }) {
  const owned = (id: string) => sessions.filter((s) => s.ownerWorkerId === id);
  return (
    <section class="card" aria-labelledby="workers-title">
      <h2 id="workers-title">Workers ({health.workers.length})</h2>
      {health.workers.length === 0 ? (
        <p class="error">No worker is running: sessions are not connected.</p>
      ) : (
        <table class="table responsive">
          <caption class="visually-hidden">Workers and the sessions they own</caption>
          <thead>
            <tr>
              <th scope="col">Worker</th>
              <th scope="col">Sessions</th>
              <th scope="col">Memory</th>
              <th scope="col">Event loop p99</th>
              <th scope="col">Last beat</th>
            </tr>
          </thead>
          <tbody>
            {health.workers.map((worker) => (
              <tr key={worker.instanceId} data-worker={worker.instanceId}>
                <th scope="row" data-label="Worker">
                  {worker.instanceId}
                  {worker.pid ? <div class="muted small">pid {worker.pid}</div> : null}
                </th>
                <td data-label="Sessions">
                  {worker.open} open of {worker.sessions} (capacity {worker.capacity})
                  {owned(worker.instanceId).length > 0 ? (
                    <ul class="plain-list small">
                      {owned(worker.instanceId).map((s) => (
                        <li key={s.id}>
                          <a href={`#/sessions/${encodeURIComponent(s.id)}`}>{s.name}</a> ({s.status})
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </td>
                <td data-label="Memory">{formatBytes(worker.rss)}</td>
                <td data-label="Event loop p99">{worker.eventLoopDelayP99Ms} ms</td>
                <td data-label="Last beat">{formatTime(worker.lastBeatAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {health.missingWorkers.length > 0 ? (
        <p class="error">Stopped beating in the last 10 minutes: {health.missingWorkers.join(', ')}</p>
      ) : null}
      <p class="small muted">
        Schedulers: {health.schedulers.map((s) => s.instanceId).join(', ') || 'none running'}
        {health.missingSchedulers.length > 0 ? ` (missing: ${health.missingSchedulers.join(', ')})` : ''}
      </p>
    </section>
  );
}

function BreakersTable({ breakers }: { breakers: Health['circuitBreakers'] }) {
  const entries = Object.entries(breakers);
  return (
    <section class="card" aria-labelledby="breakers-title">
      <h2 id="breakers-title">Circuit breakers ({entries.length})</h2>
      {entries.length === 0 ? (
        <p class="muted">No breaker reported by the workers.</p>
      ) : (
        <table class="table responsive">
          <caption class="visually-hidden">Circuit breakers, worst state across workers</caption>
          <thead>
            <tr>
              <th scope="col">Breaker</th>
              <th scope="col">State</th>
              <th scope="col">Per worker</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([name, breaker]) => (
              <tr key={name}>
                <th scope="row" data-label="Breaker">
                  <code>{name}</code>
                </th>
                <td data-label="State">
                  <Badge tone={BREAKER_TONE[breaker.state]} text={breaker.state} />
                </td>
                <td data-label="Per worker" class="small">
                  {Object.entries(breaker.workers)
                    .map(([worker, state]) => `${worker}: ${state}`)
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function QueuesTable({ queues }: { queues: Health['queues'] }) {
  if (!queues) {
    return (
      <section class="card" aria-labelledby="queues-title">
        <h2 id="queues-title">Queues</h2>
        <p class="error">Unknown: Redis cannot be reached.</p>
      </section>
    );
  }
  const sends = queues.sends;
  const rows: Array<[string, Depths]> = [
    ['session-commands', queues['session-commands']],
    ['webhooks', queues.webhooks],
    ['maintenance', queues.maintenance],
    [
      `sends (${sends.queues} queues)`,
      {
        waiting: sends.totalWaiting,
        active: sends.totalActive,
        delayed: sends.totalDelayed,
        failed: sends.totalFailed,
        completed: sends.totalCompleted,
      },
    ],
  ];
  const columns = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
  return (
    <section class="card" aria-labelledby="queues-title">
      <h2 id="queues-title">Queue depths</h2>
      <table class="table responsive">
        <caption class="visually-hidden">Jobs per queue and state</caption>
        <thead>
          <tr>
            <th scope="col">Queue</th>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, depths]) => (
            <tr key={name}>
              <th scope="row" data-label="Queue">
                {name}
              </th>
              {columns.map((c) => (
                <td key={c} data-label={c}>
                  {depths[c]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
