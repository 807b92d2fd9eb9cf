import { execFile } from 'node:child_process';

const cache = new Map<string, Promise<boolean>>();

/**
 * Whether `ffmpegPath` runs (FFMPEG_PATH). Asked once per path and process: ffmpeg is installed or
 * not for the life of the process, and a spawn per message would cost more than the answer is worth.
 */
export function ffmpegAvailable(ffmpegPath: string): Promise<boolean> {
  let known = cache.get(ffmpegPath);
  if (!known) {
    known = new Promise<boolean>((resolve) => {
      execFile(ffmpegPath, ['-hide_banner', '-version'], { timeout: 5000 }, (err) => resolve(!err));
    });
    cache.set(ffmpegPath, known);
  }
  return known;
}
