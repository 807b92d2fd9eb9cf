import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ErrorText } from '../../ui/error-text.js';
import { useAction } from '../../ui/use-action.js';

/**
 * Sends a text through the real path (API → outbox → worker → WhatsApp); the message then shows
 * in the list below and its status moves with the receipts.
 */
export function TestSendForm({
  sessionId,
  onSent,
}: {
  sessionId: string;
  onSent: (messageId: string) => void;
}) {
  const [to, setTo] = useState('');
  const [text, setText] = useState('');
  const send = useAction(async () => {
    const accepted = await api<{ id: string }>(
      'POST',
      `/api/sessions/${encodeURIComponent(sessionId)}/messages`,
      {
        to: to.trim(),
        text,
      },
    );
    setText('');
    onSent(accepted.id);
  });
  return (
    <form
      class="card"
      aria-labelledby="test-send-title"
      onSubmit={(e) => {
        e.preventDefault();
        void send.run();
      }}
    >
      <h2 id="test-send-title">Send a test message</h2>
      <div class="field">
        <label for="send-to">To (phone number)</label>
        <input
          id="send-to"
          name="to"
          type="tel"
          inputMode="tel"
          autocomplete="off"
          placeholder="+4915112345678"
          required
          maxLength={64}
          value={to}
          aria-describedby={send.error ? 'test-send-error' : undefined}
          onInput={(e) => setTo(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="send-text">Text</label>
        <textarea
          id="send-text"
          name="text"
          rows={3}
          required
          maxLength={65_536}
          value={text}
          aria-describedby={send.error ? 'test-send-error' : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
      <button type="submit" class="button primary" disabled={send.busy}>
        {send.busy ? 'Sending…' : 'Send'}
      </button>
      <ErrorText error={send.error} id="test-send-error" />
    </form>
  );
}
