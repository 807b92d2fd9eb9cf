import { describe, expect, it } from 'vitest';
import { sniffMimetype } from './index.js';

describe('sniffMimetype', () => {
  it('names the type from magic numbers', async () => {
    const pdf = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
    expect(await sniffMimetype(pdf)).toBe('application/pdf');
    // An Ogg page whose first packet is an Opus header: what WhatsApp voice notes are.
    const opus = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(24), Buffer.from('OpusHead')]);
    expect(await sniffMimetype(opus)).toBe('audio/ogg; codecs=opus');
    const webp = Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1');
    expect(await sniffMimetype(webp)).toBe('image/webp');
  });

  it('falls back to application/octet-stream for unknown or empty input', async () => {
    expect(await sniffMimetype(Buffer.from('just words, no signature'))).toBe('application/octet-stream');
    expect(await sniffMimetype(new Uint8Array(0))).toBe('application/octet-stream');
  });
});
