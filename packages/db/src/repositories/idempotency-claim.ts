/**
 * An Idempotency-Key claim that was no longer this request's when its work tried to commit: it was
 * judged abandoned and claimed again by a retry. The work's transaction is rolled back, so only
 * the retry's rows exist.
 */
export class IdempotencyClaimLostError extends Error {
  constructor(readonly keyId: string) {
    super(`Idempotency-Key claim ${keyId} was taken over before this request committed`);
    this.name = 'IdempotencyClaimLostError';
  }
}
