import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A destructive action in two steps, inline instead of window.confirm: the first press asks, the
 * second ("Yes, …") acts, Cancel or Escape backs out. Focus moves to the confirming button, so a
 * keyboard user confirms with a second Enter and screen readers announce the question.
 */
export function ConfirmButton(props: {
  label: string;
  /** What the first button says to screen readers when `label` alone is ambiguous ("Delete" per row). */
  accessibleLabel?: string;
  question: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) startRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button
        type="button"
        class="button danger"
        ref={startRef}
        aria-label={props.accessibleLabel}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of buttons, not a form field set
    <span
      class="confirm"
      role="group"
      aria-label={props.question}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setAsking(false);
      }}
    >
      <span class="confirm-question">{props.question}</span>
      <button
        type="button"
        class="button danger"
        ref={confirmRef}
        disabled={props.busy}
        onClick={() => {
          props.onConfirm();
          setAsking(false);
        }}
      >
        {props.confirmLabel}
      </button>
      <button type="button" class="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
