import { formatTime } from '../../ui/format-time.js';
import { StatusBadge } from '../../ui/status-badge.js';
import type { SessionTransition } from './session-types.js';

/** Status transitions, newest first, with the reason and the WhatsApp disconnect code. */
export function StatusHistory({ items }: { items: readonly SessionTransition[] }) {
  return (
    <section aria-labelledby="history-title" class="card">
      <h2 id="history-title">Status history</h2>
      {items.length === 0 ? (
        <p class="muted">No transitions yet.</p>
      ) : (
        <table class="table responsive history">
          <caption class="visually-hidden">Status transitions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Reason</th>
              <th scope="col">Code</th>
              <th scope="col">Worker</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td data-label="When">{formatTime(item.createdAt)}</td>
                <td data-label="From">
                  {item.fromStatus ? <StatusBadge status={item.fromStatus} /> : <span class="muted">—</span>}
                </td>
                <td data-label="To">
                  <StatusBadge status={item.toStatus} />
                </td>
                <td data-label="Reason">{item.reason ?? <span class="muted">—</span>}</td>
                <td data-label="Code">
                  {item.disconnectCode === null ? (
                    <span class="muted">—</span>
                  ) : (
                    <code>{item.disconnectCode}</code>
                  )}
                </td>
                <td data-label="Worker">{item.workerId ?? <span class="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
