/** What the client put before its first frame. */
export interface Intro {
  /** The 4-byte `WA 06 03` header; the only part that enters the Noise hash. */
  header: Buffer;
  /** Edge-routing bytes from an `ED` prefix, present once the server pushed `edge_routing`. */
  routingInfo?: Buffer;
}

const WA_MAGIC = Buffer.from('WA');
const ED_MAGIC = Buffer.from('ED');

/**
 * Reassembles the client's byte stream: the intro once, then 3-byte big-endian length-prefixed
 * frames. Nothing assumes one frame per WebSocket message, so partial and merged messages work.
 */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private intro: Intro | undefined;

  /** Appends bytes; returns the intro the first time it is complete, and every complete frame. */
  push(data: Buffer): { intro?: Intro; frames: Buffer[] } {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    let intro: Intro | undefined;
    if (!this.intro) {
      intro = this.readIntro();
      if (!intro) return { frames: [] };
      this.intro = intro;
    }
    const frames: Buffer[] = [];
    while (this.buffer.length >= 3) {
      const size = this.buffer.readUIntBE(0, 3);
      if (this.buffer.length < size + 3) break;
      frames.push(this.buffer.subarray(3, size + 3));
      this.buffer = this.buffer.subarray(size + 3);
    }
    return intro ? { intro, frames } : { frames };
  }

  private readIntro(): Intro | undefined {
    if (this.buffer.length < 4) return undefined;
    const magic = this.buffer.subarray(0, 2);
    if (magic.equals(WA_MAGIC)) {
      const header = Buffer.from(this.buffer.subarray(0, 4));
      this.buffer = this.buffer.subarray(4);
      return { header };
    }
    if (!magic.equals(ED_MAGIC)) throw new Error(`unknown intro ${magic.toString('hex')}`);
    // ED 00 01, 3-byte length, routing info, then the regular WA header.
    if (this.buffer.length < 7) return undefined;
    const length = this.buffer.readUIntBE(4, 3);
    if (this.buffer.length < 7 + length + 4) return undefined;
    const routingInfo = Buffer.from(this.buffer.subarray(7, 7 + length));
    const header = Buffer.from(this.buffer.subarray(7 + length, 11 + length));
    if (!header.subarray(0, 2).equals(WA_MAGIC)) throw new Error('ED intro without WA header');
    this.buffer = this.buffer.subarray(11 + length);
    return { header, routingInfo };
  }
}

/** Prefixes a payload with its 3-byte big-endian length. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.alloc(3 + payload.length);
  frame.writeUIntBE(payload.length, 0, 3);
  frame.set(payload, 3);
  return frame;
}
