import { formatTime } from '../../ui/format-time.js';
import { StatusBadge } from '../../ui/status-badge.js';
import type { Message } from './session-types.js';

/** What a message says, in one line: its text, or its kind for anything that is not text. */
function summary(message: Message): string {
  const { text, caption } = message.payload as { text?: unknown; caption?: unknown };
  if (typeof text === 'string') return text;
  if (typeof caption === 'string') return `[${message.type}] ${caption}`;
  return `[${message.type}]`;
}

/** Chat partner without the WhatsApp server suffix, which says nothing to a person. */
function chat(jid: string): string {
  return jid.replace(/@s\.whatsapp\.net$/, '');
}

export function RecentMessages({ items }: { items: readonly Message[] }) {
  return (
    <section aria-labelledby="messages-title" class="card">
      <h2 id="messages-title">Recent messages</h2>
      {items.length === 0 ? (
        <p class="muted">No messages yet.</p>
      ) : (
        <table class="table responsive messages">
          <caption class="visually-hidden">Recent messages, newest first; statuses update live</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Direction</th>
              <th scope="col">Chat</th>
              <th scope="col">Message</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((message) => (
              <tr key={message.id} data-message-id={message.id}>
                <td data-label="When">{formatTime(message.createdAt)}</td>
                <td data-label="Direction">{message.direction === 'outbound' ? 'sent' : 'received'}</td>
                <td data-label="Chat">{chat(message.remoteJid)}</td>
                <td data-label="Message" class="message-text">
                  {summary(message)}
                </td>
                <td data-label="Status">
                  <StatusBadge status={message.status} />
                  {message.statusReason ? <div class="muted small">{message.statusReason}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
