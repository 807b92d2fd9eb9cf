import { formatTime } from '../../ui/format-time.js';
import type { ThroughputMinute } from './system-types.js';

// The drawing's own coordinates. It is stretched to the box CSS gives it (preserveAspectRatio none,
// strokes kept at their width), and its labels are HTML around it, so text never scales with it.
const WIDTH = 600;
const HEIGHT = 100;

function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

function points(minutes: readonly ThroughputMinute[], key: 'sent' | 'received', max: number): string {
  const step = WIDTH / Math.max(1, minutes.length - 1);
  return minutes
    .map((m, i) => `${(i * step).toFixed(1)},${(HEIGHT - (m[key] / max) * HEIGHT).toFixed(1)}`)
    .join(' ');
}

/** What the chart shows, in words: the accessible name of the drawing. */
function describeThroughput(minutes: readonly ThroughputMinute[]): string {
  const sent = minutes.reduce((sum, m) => sum + m.sent, 0);
  const received = minutes.reduce((sum, m) => sum + m.received, 0);
  const busiest = minutes.reduce<ThroughputMinute | undefined>(
    (best, m) => (!best || m.sent + m.received > best.sent + best.received ? m : best),
    undefined,
  );
  const peak =
    busiest && busiest.sent + busiest.received > 0
      ? `; busiest minute ${clock(busiest.at)} with ${busiest.sent} sent and ${busiest.received} received`
      : '';
  return `Messages per minute over the last hour: ${sent} sent and ${received} received in total${peak}.`;
}

/**
 * Messages per minute over the last hour as two lines (sent, received), drawn by hand: a chart
 * library would outweigh the rest of the page. The drawing has a summary as its accessible name,
 * and the numbers are one click away as a table.
 */
export function ThroughputChart({ minutes }: { minutes: readonly ThroughputMinute[] }) {
  const max = Math.max(1, ...minutes.map((m) => Math.max(m.sent, m.received)));
  const first = minutes[0];
  const middle = minutes[Math.floor(minutes.length / 2)];
  const last = minutes.at(-1);
  return (
    <figure class="chart">
      <div class="chart-plot">
        <div class="chart-y" aria-hidden="true">
          <span>{max}</span>
          <span>0</span>
        </div>
        <svg
          class="chart-svg"
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={describeThroughput(minutes)}
        >
          <line class="chart-grid" x1={0} y1={0.5} x2={WIDTH} y2={0.5} vector-effect="non-scaling-stroke" />
          <line
            class="chart-axis"
            x1={0}
            y1={HEIGHT}
            x2={WIDTH}
            y2={HEIGHT}
            vector-effect="non-scaling-stroke"
          />
          <polyline
            class="chart-line chart-received"
            points={points(minutes, 'received', max)}
            vector-effect="non-scaling-stroke"
          />
          <polyline
            class="chart-line chart-sent"
            points={points(minutes, 'sent', max)}
            vector-effect="non-scaling-stroke"
          />
        </svg>
        <div class="chart-x" aria-hidden="true">
          <span>{first ? clock(first.at) : ''}</span>
          <span>{middle ? clock(middle.at) : ''}</span>
          <span>{last ? clock(last.at) : ''}</span>
        </div>
      </div>
      <figcaption class="chart-legend">
        <span class="legend legend-sent">Sent</span>
        <span class="legend legend-received">Received</span>
        <span class="muted small">per minute, current minute last</span>
      </figcaption>
      <details>
        <summary>Show the numbers</summary>
        <table class="table">
          <caption class="visually-hidden">Messages per minute over the last hour</caption>
          <thead>
            <tr>
              <th scope="col">Minute</th>
              <th scope="col">Sent</th>
              <th scope="col">Received</th>
            </tr>
          </thead>
          <tbody>
            {minutes.map((m) => (
              <tr key={m.at}>
                <th scope="row">{formatTime(m.at)}</th>
                <td>{m.sent}</td>
                <td>{m.received}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
