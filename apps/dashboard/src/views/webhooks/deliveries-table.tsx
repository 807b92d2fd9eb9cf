import { ErrorText } from '../../ui/error-text.js';
import { formatTime } from '../../ui/format-time.js';
import type { DeliveryAttempt } from './webhook-shapes.js';

const OUTCOME_TONE: Record<DeliveryAttempt['outcome'], string> = {
  delivered: 'badge-ok',
  retrying: 'badge-wait',
  dead_lettered: 'badge-bad',
};

const OUTCOME_TEXT: Record<DeliveryAttempt['outcome'], string> = {
  delivered: 'delivered',
  retrying: 'failed, will retry',
  dead_lettered: 'failed, dead letter',
};

/** The webhook's recent attempts as the workers recorded them: newest first. */
export function DeliveriesTable(props: {
  titleId: string;
  attempts: readonly DeliveryAttempt[] | undefined;
  error: unknown;
}) {
  return (
    <section class="webhook-section" aria-labelledby={props.titleId}>
      <h3 id={props.titleId}>Recent deliveries</h3>
      <ErrorText error={props.error} />
      {props.attempts === undefined ? (
        <p class="muted">Loading…</p>
      ) : props.attempts.length === 0 ? (
        <p class="muted">No delivery attempts in the last 7 days.</p>
      ) : (
        <table class="table responsive deliveries">
          <caption class="visually-hidden">Recent delivery attempts, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Attempt</th>
              <th scope="col">Result</th>
              <th scope="col">HTTP</th>
              <th scope="col">Latency</th>
            </tr>
          </thead>
          <tbody>
            {props.attempts.map((a, i) => (
              <tr key={`${a.eventId}-${a.attempt}-${i}`} data-outcome={a.outcome} data-event-id={a.eventId}>
                <td data-label="When">{formatTime(a.at)}</td>
                <td data-label="Event">
                  <code>{a.event}</code>
                  {a.replay ? <span class="muted small"> (replay)</span> : null}
                </td>
                <td data-label="Attempt">{a.attempt}</td>
                <td data-label="Result">
                  <span class={`badge ${OUTCOME_TONE[a.outcome]}`}>{OUTCOME_TEXT[a.outcome]}</span>
                  {/* The HTTP column says it when there was an answer; otherwise why there was none. */}
                  {a.error && a.httpStatus === null ? <div class="small">{a.error}</div> : null}
                </td>
                <td data-label="HTTP">{a.httpStatus ?? <span class="muted">none</span>}</td>
                <td data-label="Latency">{a.durationMs} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
