import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useCatchUp, useGatewayEvent } from '../../live-events.js';
import { ErrorText } from '../../ui/error-text.js';
import { useAction } from '../../ui/use-action.js';

/**
 * WhatsApp's "link with phone number" instead of a QR: the API asks the session's worker for a code
 * (200 with it, or 202 while the worker is still getting it: the code then comes as a
 * `session.pairing_code` event, or from GET after a reconnect).
 */
export function PairingCodeForm({ sessionId }: { sessionId: string }) {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState<string | undefined>(undefined);
  const [pending, setPending] = useState(false);
  const path = `/api/sessions/${encodeURIComponent(sessionId)}/pairing-code`;

  const request = useAction(async (number: string) => {
    setCode(undefined);
    const answer = await api<{ code: string } | { status: 'pending' }>('POST', path, { phone: number });
    if ('code' in answer) setCode(answer.code);
    setPending(!('code' in answer));
  });

  useGatewayEvent(['session.pairing_code'], (event) => {
    if (event.sessionId !== sessionId || !pending) return;
    setCode(String(event.data.code));
    setPending(false);
  });
  useCatchUp(() => {
    if (!pending) return;
    api<{ code: string }>('GET', path).then(
      (answer) => {
        setCode(answer.code);
        setPending(false);
      },
      // Not issued yet: the event will bring it.
      () => undefined,
    );
  });

  return (
    <form
      class="pairing-code"
      aria-labelledby="pairing-code-title"
      onSubmit={(e) => {
        e.preventDefault();
        void request.run(phone.trim());
      }}
    >
      <h2 id="pairing-code-title">Or link with a phone number</h2>
      <div class="field">
        <label for="pairing-phone">Phone number of the WhatsApp account</label>
        <input
          id="pairing-phone"
          name="phone"
          type="tel"
          inputMode="tel"
          autocomplete="tel"
          placeholder="+4915112345678"
          required
          maxLength={32}
          value={phone}
          aria-invalid={request.error ? true : undefined}
          aria-describedby={request.error ? 'pairing-code-error' : 'pairing-phone-hint'}
          onInput={(e) => setPhone(e.currentTarget.value)}
        />
        <span id="pairing-phone-hint" class="hint">
          International format with the country code.
        </span>
      </div>
      <button type="submit" class="button" disabled={request.busy}>
        {request.busy ? 'Requesting…' : 'Get a pairing code'}
      </button>
      <ErrorText error={request.error} id="pairing-code-error" />
      <div role="status" class="pairing-code-result">
        {code ? (
          <p>
            Enter this code on the phone (Linked devices → Link with phone number):{' '}
            <strong class="code" data-testid="pairing-code">
              {code}
            </strong>
          </p>
        ) : pending ? (
          <p>Waiting for WhatsApp to issue the code…</p>
        ) : null}
      </div>
    </form>
  );
}
