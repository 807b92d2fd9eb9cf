/** Colour families of statuses; the text always says the status itself, colour only repeats it. */
const TONE: Record<string, 'ok' | 'wait' | 'bad' | 'off'> = {
  open: 'ok',
  sent: 'ok',
  delivered: 'ok',
  read: 'ok',
  played: 'ok',
  received: 'ok',
  starting: 'wait',
  connecting: 'wait',
  reconnecting: 'wait',
  qr: 'wait',
  queued: 'wait',
  sending: 'wait',
  failed: 'bad',
  logged_out: 'bad',
  conflict: 'bad',
  needs_pairing: 'bad',
  stopped: 'off',
  cancelled: 'off',
};

/** A session or message status as a badge; `label` names what it is the status of, for screen readers. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span class={`badge badge-${TONE[status] ?? 'off'}`} data-status={status} title={label}>
      {label ? <span class="visually-hidden">{label}: </span> : null}
      {status}
    </span>
  );
}
