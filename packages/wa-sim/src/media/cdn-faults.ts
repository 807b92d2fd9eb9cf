import { Transform } from 'node:stream';

/**
 * Faults a test arms on the CDN's downloads: error answers (a 5xx hiccup, a 404 for a file the CDN
 * dropped) and a slow link, so a client's retries, re-upload requests and mid-download failures can
 * be exercised. Uploads are not affected.
 */
export class CdnFaults {
  private readonly failures: number[] = [];
  private rate: number | undefined;

  /** Answers the next `times` downloads (of any blob) with `status` instead of the blob. */
  failDownloads(status: number, times = 1): void {
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new Error(`not an error status: ${status}`);
    for (let i = 0; i < times; i++) this.failures.push(status);
  }

  /**
   * Sends download bodies at about `bytesPerSecond` (a slow link: a download then takes long enough
   * for a test to kill its client mid-way); undefined: full speed again.
   */
  throttle(bytesPerSecond: number | undefined): void {
    if (bytesPerSecond !== undefined && !(bytesPerSecond > 0)) throw new Error('bytesPerSecond must be > 0');
    this.rate = bytesPerSecond;
  }

  /** Disarms every fault. */
  reset(): void {
    this.failures.length = 0;
    this.rate = undefined;
  }

  /** The status the next download gets instead of its blob, if a failure is armed (consumes it). */
  takeFailure(): number | undefined {
    return this.failures.shift();
  }

  /** A pass-through that paces a body to the throttled rate, or undefined at full speed. */
  pacer(): Transform | undefined {
    const rate = this.rate;
    if (rate === undefined) return undefined;
    return new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        // Each chunk waits for its share of a second; chunks are at most 64 KiB (a file read).
        setTimeout(() => callback(null, chunk), (chunk.length / rate) * 1000);
      },
    });
  }
}
