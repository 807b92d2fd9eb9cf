import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { encryptedStream, getMediaKeys } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { decryptMedia, MediaIntegrityError } from './inbound-decrypt.js';

/** A file encrypted by Baileys' own uploader code, as a sender's phone encrypts it. */
async function encrypted(plain: Buffer) {
  const out = await encryptedStream(plain, 'image');
  const blob = await readFile(out.encFilePath);
  await rm(out.encFilePath, { force: true });
  return {
    blob,
    keys: await getMediaKeys(out.mediaKey, 'image'),
    expected: { fileEncSha256: out.fileEncSha256, fileSha256: out.fileSha256, fileLength: out.fileLength },
  };
}

/** The blob cut into chunks of `size` bytes, as a socket might deliver it. */
async function* chunks(blob: Buffer, size: number) {
  for (let at = 0; at < blob.length; at += size) yield blob.subarray(at, at + size);
}

async function collect(source: AsyncIterable<Buffer>) {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

describe('decryptMedia', () => {
  it('decrypts what Baileys encrypted, whatever the chunking, for sizes around the AES block', async () => {
    for (const length of [1, 15, 16, 17, 4096, 100_003]) {
      const plain = randomBytes(length);
      const { blob, keys, expected } = await encrypted(plain);
      for (const size of [1, 7, 10, 11, 16, 65_536]) {
        if (size === 1 && length > 5000) continue;
        const out = await collect(decryptMedia(chunks(blob, size), keys, expected));
        expect(out.equals(plain), `length ${length}, chunks of ${size}`).toBe(true);
      }
    }
  });

  it('refuses a blob whose ciphertext was altered (MAC): the stream fails instead of ending', async () => {
    const plain = randomBytes(50_000);
    const { blob, keys, expected } = await encrypted(plain);
    const tampered = Buffer.from(blob);
    tampered[100] = (tampered[100] ?? 0) ^ 1;
    await expect(collect(decryptMedia(chunks(tampered, 8192), keys, expected))).rejects.toThrow(
      new MediaIntegrityError("the file's MAC does not match the message"),
    );
  });

  it('refuses a blob or plaintext that does not match the hashes and length the message states', async () => {
    const plain = randomBytes(3000);
    const { blob, keys, expected } = await encrypted(plain);
    const other = createHash('sha256').update('other').digest();
    const run = (e: object) => collect(decryptMedia(chunks(blob, 1000), keys, e));
    await expect(run({ ...expected, fileEncSha256: other })).rejects.toThrow(/encrypted SHA-256/);
    await expect(run({ ...expected, fileSha256: other })).rejects.toThrow(/SHA-256 does not match/);
    await expect(run({ ...expected, fileLength: 2999 })).rejects.toThrow(/3000 bytes, not 2999/);
    await expect(collect(decryptMedia(chunks(blob.subarray(0, 9), 4), keys, {}))).rejects.toThrow(
      /shorter than its MAC/,
    );
  });
});
