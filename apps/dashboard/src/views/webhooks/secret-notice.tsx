import { useState } from 'preact/hooks';

/**
 * A secret the API shows once (webhook signing secret, API key): kept on screen until dismissed,
 * selectable, with a copy button. Nothing stores it; after "Done" it is gone for good.
 */
export function SecretNotice(props: { title: string; secret: string; note: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="card secret-notice" role="status">
      <h3 class="secret-title">{props.title}</h3>
      <p class="hint">{props.note}</p>
      <code class="secret-value" data-secret>
        {props.secret}
      </code>
      <div class="button-row">
        <button
          type="button"
          class="button"
          onClick={() =>
            navigator.clipboard?.writeText(props.secret).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" class="button" onClick={props.onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
