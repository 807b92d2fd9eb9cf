import { execFile } from 'node:child_process';
import { ffmpegAvailable } from '@wagw/media';

/** What a video message shows before it is downloaded. */
export interface VideoPreview {
  /**
   * Base64 JPEG of the first frame, 32 pixels wide like Baileys' own thumbnails. Empty when none
   * could be made: Baileys would otherwise make one itself by running `ffmpeg` through a shell.
   */
  jpegThumbnail: string;
  /** Duration in whole seconds, when ffmpeg could read it. */
  seconds?: number;
}

/** A preview of a large or odd video is not worth holding a send for longer than this. */
const PREVIEW_TIMEOUT_MS = 15_000;
const DURATION = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/;

/**
 * Thumbnail and duration of the video at `path`, from one run of `ffmpegPath` (run directly, no
 * shell). Never fails: without ffmpeg, or for a video ffmpeg cannot read, the video goes out
 * without them, as WhatsApp allows.
 */
export async function videoPreview(path: string, ffmpegPath: string): Promise<VideoPreview> {
  if (!(await ffmpegAvailable(ffmpegPath))) return { jpegThumbnail: '' };
  const args = [
    ...['-nostdin', '-hide_banner', '-i', `file:${path}`],
    ...['-frames:v', '1', '-vf', 'scale=32:-2', '-q:v', '5', '-f', 'image2pipe', '-c:v', 'mjpeg', 'pipe:1'],
  ];
  return new Promise((resolve) => {
    execFile(
      ffmpegPath,
      args,
      { encoding: 'buffer', timeout: PREVIEW_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
      (err, stdout, stderr) => {
        const seconds = durationSeconds(stderr.toString('utf8'));
        resolve({
          jpegThumbnail: !err && stdout.length > 0 ? stdout.toString('base64') : '',
          ...(seconds === undefined ? {} : { seconds }),
        });
      },
    );
  });
}

/** `Duration: 00:01:02.50` from ffmpeg's description of its input, rounded up to whole seconds. */
function durationSeconds(stderr: string): number | undefined {
  const match = DURATION.exec(stderr);
  if (!match) return undefined;
  const [, hours = '0', minutes = '0', seconds = '0'] = match;
  const total = Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
  return Number.isFinite(total) && total > 0 ? Math.ceil(total) : undefined;
}
