import { ApiError } from '../api.js';

/** How every view shows a failure: the API's stable code and its message, as `CODE: message`. */
function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  if (error instanceof TypeError) return 'NETWORK_ERROR: the API could not be reached';
  return `ERROR: ${error instanceof Error ? error.message : String(error)}`;
}

/** An error announced to screen readers (role=alert); renders nothing without an error. */
export function ErrorText({ error, id }: { error: unknown; id?: string }) {
  if (error === undefined || error === null) return null;
  return (
    <p class="error" role="alert" id={id}>
      {describeError(error)}
    </p>
  );
}
