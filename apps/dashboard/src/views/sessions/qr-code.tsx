import { useState } from 'preact/hooks';
import { useCatchUp, useGatewayEvent } from '../../live-events.js';

/**
 * The session's current QR as the API renders it (SVG, fetched with the cookie), replaced on each
 * `session.qr` event: WhatsApp rotates the code every few seconds while it waits for a scan.
 */
export function QrCode({ sessionId, name }: { sessionId: string; name: string }) {
  // Bumped per rotation: a new URL makes the browser fetch the new image (the API sends no-store).
  const [version, setVersion] = useState(() => Date.now());
  const [missing, setMissing] = useState(false);
  const bump = () => {
    setMissing(false);
    setVersion((v) => Math.max(v + 1, Date.now()));
  };
  useGatewayEvent(['session.qr'], (event) => {
    if (event.sessionId === sessionId) bump();
  });
  useCatchUp(bump);

  const src = `/api/sessions/${encodeURIComponent(sessionId)}/qr?format=svg&t=${version}`;
  return (
    <figure class="qr">
      {missing ? (
        <div class="qr-placeholder" role="status">
          Waiting for WhatsApp to show a QR code…
        </div>
      ) : (
        <img
          src={src}
          width={264}
          height={264}
          alt={`QR code to link ${name}`}
          data-version={version}
          onError={() => setMissing(true)}
        />
      )}
      <figcaption>
        On the phone: WhatsApp → Settings → Linked devices → Link a device, then scan this code. It changes
        every few seconds; this page follows it.
      </figcaption>
    </figure>
  );
}
