import { useCallback, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ErrorText } from '../../ui/error-text.js';
import { useAutoRefresh } from '../webhooks/use-auto-refresh.js';
import { ApiKeysPanel } from './api-keys-panel.js';
import { HealthDetails, StatusCard } from './health-panel.js';
import type { Health, OwnedSession, ThroughputMinute } from './system-types.js';
import { ThroughputChart } from './throughput-chart.js';
import './system.css';

/** Heartbeats come every few seconds; the throughput moves by the minute. */
const HEALTH_REFRESH_MS = 5000;
const THROUGHPUT_REFRESH_MS = 30_000;

/**
 * System (issue #15 item 6, admin only: the shell hides it from session keys and the API refuses
 * them): health, messages per minute, API keys, and the operator's other tools.
 */
export function SystemPage() {
  const [health, setHealth] = useState<Health | undefined>(undefined);
  const [healthError, setHealthError] = useState<unknown>(undefined);
  const [sessions, setSessions] = useState<OwnedSession[]>([]);
  const [minutes, setMinutes] = useState<ThroughputMinute[] | undefined>(undefined);
  const [throughputError, setThroughputError] = useState<unknown>(undefined);

  const loadHealth = useCallback(() => {
    // A degraded or failing gateway answers 503 with the same document: show it, not just the code.
    fetch('/api/health', { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(async (response) => {
        const body = (await response.json()) as Health;
        if (typeof body?.status !== 'string')
          throw new Error(`unexpected health answer (${response.status})`);
        setHealth(body);
        setHealthError(undefined);
      })
      .catch(setHealthError);
    api<{ items: OwnedSession[] }>('GET', '/api/sessions').then(
      (page) => setSessions(page.items),
      setHealthError,
    );
  }, []);
  const loadThroughput = useCallback(() => {
    api<{ minutes: ThroughputMinute[] }>('GET', '/api/monitoring/throughput').then((answer) => {
      setMinutes(answer.minutes);
      setThroughputError(undefined);
    }, setThroughputError);
  }, []);
  useAutoRefresh(loadHealth, HEALTH_REFRESH_MS);
  useAutoRefresh(loadThroughput, THROUGHPUT_REFRESH_MS);

  return (
    <section aria-labelledby="system-title" class="system">
      <h1 id="system-title">System</h1>
      <nav aria-label="Operator tools" class="card tools">
        <h2>Tools</h2>
        <ul class="plain-list">
          <li>
            <a href="/admin/queues">Bull Board</a>{' '}
            <span class="muted small">queues and jobs (asks for the API key)</span>
          </li>
          <li>
            <a href="/docs">API documentation</a> <span class="muted small">OpenAPI, try requests</span>
          </li>
          <li>
            <a href="/metrics">Prometheus metrics</a>{' '}
            <span class="muted small">/metrics (the admin key, or METRICS_TOKEN if set)</span>
          </li>
        </ul>
      </nav>
      <ErrorText error={healthError} />
      {health ? <StatusCard health={health} /> : healthError ? null : <p role="status">Loading…</p>}
      <section class="card" aria-labelledby="throughput-title">
        <h2 id="throughput-title">Messages per minute, last hour</h2>
        <ErrorText error={throughputError} />
        {minutes ? (
          <ThroughputChart minutes={minutes} />
        ) : throughputError ? null : (
          <p class="muted">Loading…</p>
        )}
      </section>
      {health ? <HealthDetails health={health} sessions={sessions} /> : null}
      <ApiKeysPanel sessions={sessions} />
    </section>
  );
}
