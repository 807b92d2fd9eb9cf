import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

/** Chunk size of the generated inputs: the size a socket or multipart parser typically hands over. */
export const CHUNK_BYTES = 64 * 1024;

export interface CountingSource {
  source: AsyncGenerator<Uint8Array>;
  /** Bytes handed to the consumer so far: proves how far a consumer read. */
  produced(): number;
}

/**
 * `totalBytes` of generated content in fresh chunks, produced only as they are read, counting what
 * was handed out. Chunk i is a 64 KiB block tagged with i, so no two chunks are alike.
 */
export function generatedBytes(totalBytes: number): CountingSource {
  let produced = 0;
  const block = randomBytes(CHUNK_BYTES);
  async function* generate(): AsyncGenerator<Uint8Array> {
    for (let i = 0; produced < totalBytes; i++) {
      const chunk = Buffer.from(block.subarray(0, Math.min(CHUNK_BYTES, totalBytes - produced)));
      chunk.writeUInt32BE(i, 0);
      produced += chunk.length;
      yield chunk;
    }
  }
  return { source: generate(), produced: () => produced };
}

/** A few chunks, then a failure: a client that disconnects in the middle of an upload. */
export async function* failingAfter(chunks: number, error: Error): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < chunks; i++) yield randomBytes(CHUNK_BYTES);
  throw error;
}

/** Reads a (small, test-sized) stream whole. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Hashes a stream without keeping it, returning the hex SHA-256 and the byte count. */
export async function hashStream(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
