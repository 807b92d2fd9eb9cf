import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, requireTool } from '@wagw/testing';

/** Real files of every kind a media message carries, made by ffmpeg (a few KB each). */
export type SampleKind = 'jpeg' | 'webp' | 'mp4' | 'opus' | 'mp3' | 'wav';

const ARGS: Record<SampleKind, (variant: number) => string[]> = {
  jpeg: (v) => [...picture(v), '-frames:v', '1', 'out.jpg'],
  webp: (v) => [...picture(v), '-frames:v', '1', '-c:v', 'libwebp', 'out.webp'],
  mp4: (v) => [...picture(v), '-t', '0.4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', 'out.mp4'],
  opus: (v) => [...tone(v), '-c:a', 'libopus', 'out.ogg'],
  mp3: (v) => [...tone(v), '-c:a', 'libmp3lame', 'out.mp3'],
  wav: (v) => [...tone(v), '-ar', '8000', 'out.wav'],
};

/** A test pattern whose size (and so bytes) differs per variant: even sides (H.264 wants them), at most 94x94. */
function picture(variant: number): string[] {
  const size = `${32 + 2 * (variant % 32)}x${32 + 2 * (Math.floor(variant / 32) % 32)}`;
  return ['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=5`];
}

/** A short tone whose pitch (and so bytes) differs per variant. */
function tone(variant: number): string[] {
  return ['-f', 'lavfi', '-i', `sine=frequency=${440 + 10 * variant}:duration=0.3`];
}

/**
 * Makes a sample file; each `variant` gives other bytes, so tests that count stored files do not
 * meet each other's content in the content-addressed store.
 */
export function sample(kind: SampleKind, variant = 0): Buffer {
  const dir = createTempDir('wagw-media-sample-');
  try {
    const args = ARGS[kind](variant);
    const out = join(dir.path, args.at(-1) ?? '');
    execFileSync(requireTool('ffmpeg'), ['-v', 'error', '-y', ...args.slice(0, -1), out], {
      timeout: 20_000,
    });
    return readFileSync(out);
  } finally {
    dir.cleanup();
  }
}
