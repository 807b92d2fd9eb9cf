import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VOICE_MIMETYPE } from './kind-rules.js';
import type { MediaInfo, MediaStore } from './store-types.js';

export interface VoiceNoteOptions {
  /** The ffmpeg binary (FFMPEG_PATH); run directly, never through a shell. */
  ffmpegPath: string;
  store: Pick<MediaStore, 'put'>;
  /** Largest converted file accepted (MEDIA_MAX_BYTES). */
  maxBytes: number;
  /** ffmpeg is killed after this many ms. */
  timeoutMs: number;
  /** Where ffmpeg writes before the result is stored. Default: `os.tmpdir()`. */
  tempDir?: string;
}

/**
 * Why a conversion failed: `missing` (no ffmpeg at that path), `timeout`, or `failed` (ffmpeg
 * refused the input: not audio, damaged, or a codec it lacks).
 */
export class VoiceConversionError extends Error {
  constructor(
    readonly kind: 'missing' | 'timeout' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'VoiceConversionError';
  }
}

/** What a stderr excerpt in an error may hold: ffmpeg's last words, not a page of them. */
const STDERR_TAIL = 300;

/**
 * Converts the audio file at `inputPath` into a WhatsApp voice note (Ogg/Opus, mono, 48 kHz, 32
 * kbit/s: what WhatsApp's own recorder produces) and stores it. The bytes are reproducible
 * (`bitexact`: no random Ogg serial number, no encoder version tag), so the same source converted
 * by two workers is stored once. Written to a temp file rather than piped into the store, so a
 * conversion that fails halfway never leaves a truncated note behind.
 */
export async function convertToVoiceNote(inputPath: string, options: VoiceNoteOptions): Promise<MediaInfo> {
  const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'wagw-voice-'));
  const output = join(dir, 'voice.ogg');
  try {
    await runFfmpeg(options.ffmpegPath, voiceNoteArgs(inputPath, output, options.maxBytes), {
      timeoutMs: options.timeoutMs,
      // ffmpeg names its files in errors; a failure reason reaches webhooks, local paths must not.
      paths: [inputPath, output],
    });
    return await options.store.put(createReadStream(output), {
      maxBytes: options.maxBytes,
      mimetype: VOICE_MIMETYPE,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function voiceNoteArgs(input: string, output: string, maxBytes: number): string[] {
  return [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error'],
    // `file:` so a path is never read as an option or another protocol.
    ...['-i', `file:${input}`],
    // Audio only: cover art in an MP3 is a video stream, and tags may carry personal data.
    ...['-vn', '-map_metadata', '-1'],
    ...['-c:a', 'libopus', '-b:a', '32k', '-ac', '1', '-ar', '48000'],
    ...['-fflags', '+bitexact', '-flags:a', '+bitexact'],
    // One byte over the limit is enough for the store to refuse it; ffmpeg stops writing there.
    ...['-fs', String(maxBytes + 1)],
    ...['-f', 'ogg', '-y', `file:${output}`],
  ];
}

function runFfmpeg(
  ffmpegPath: string,
  args: string[],
  { timeoutMs, paths }: { timeoutMs: number; paths: string[] },
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      ffmpegPath,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, windowsHide: true },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT' || e.code === 'EACCES') {
          return reject(new VoiceConversionError('missing', `cannot run ${ffmpegPath}: ${e.code}`));
        }
        if (e.killed) {
          return reject(new VoiceConversionError('timeout', `ffmpeg took longer than ${timeoutMs} ms`));
        }
        let said = String(stderr);
        for (const path of paths) said = said.split(`file:${path}`).join('file').split(path).join('file');
        said = said.trim().slice(-STDERR_TAIL);
        reject(
          new VoiceConversionError('failed', `ffmpeg could not convert the audio${said ? `: ${said}` : ''}`),
        );
      },
    );
  });
}
