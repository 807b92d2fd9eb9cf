import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, requireTool, type TempDir } from '@wagw/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  convertToVoiceNote,
  createFsMediaStore,
  isVoiceReady,
  type MediaStore,
  sniffMimetype,
  VOICE_MIMETYPE,
  VoiceConversionError,
} from '../src/index.js';

let FFMPEG = '';
const MiB = 1024 * 1024;

let dir: TempDir;
let store: MediaStore;
let mp3: string;

beforeAll(() => {
  FFMPEG = requireTool('ffmpeg');
  dir = createTempDir('wagw-voice-');
  store = createFsMediaStore({ root: join(dir.path, 'store') });
  mp3 = join(dir.path, 'tone.mp3');
  execFileSync(FFMPEG, [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2'],
    ...['-c:a', 'libmp3lame', '-b:a', '64k', '-y', mp3],
  ]);
});
afterAll(() => dir.cleanup());

const convert = (
  input: string,
  overrides: { ffmpegPath?: string; timeoutMs?: number; maxBytes?: number } = {},
) =>
  convertToVoiceNote(input, {
    ffmpegPath: overrides.ffmpegPath ?? FFMPEG,
    store,
    maxBytes: overrides.maxBytes ?? 10 * MiB,
    timeoutMs: overrides.timeoutMs ?? 30_000,
    tempDir: dir.path,
  });

async function conversionError(promise: Promise<unknown>): Promise<VoiceConversionError> {
  const err = await promise.then(
    () => expect.unreachable('converted'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VoiceConversionError);
  return err as VoiceConversionError;
}

describe('convertToVoiceNote', () => {
  it('turns an MP3 into a mono 48 kHz Ogg/Opus note, the same bytes every time', async () => {
    expect(await sniffMimetype(readFileSync(mp3))).toBe('audio/mpeg');
    const note = await convert(mp3);
    expect(note.mimetype).toBe(VOICE_MIMETYPE);
    const stored = await store.localFile(note.id);
    const bytes = readFileSync(stored.path);
    expect(isVoiceReady(await sniffMimetype(bytes))).toBe(true);
    expect(bytes.includes(Buffer.from('OpusHead'))).toBe(true);
    // ffmpeg describes its input on stderr: `Audio: opus, 48000 Hz, mono`.
    const probe = spawnSync(FFMPEG, ['-hide_banner', '-i', stored.path, '-f', 'null', '-'], {
      encoding: 'utf8',
    });
    expect(probe.stderr).toMatch(/Audio: opus, 48000 Hz, mono/);
    // Reproducible: a second worker converting the same source stores nothing new.
    expect((await convert(mp3)).id).toBe(note.id);
    await stored.release();
  });

  it('refuses input that is not audio, without leaving a note behind', async () => {
    const text = join(dir.path, 'not-audio.mp3');
    writeFileSync(text, 'this is not audio at all '.repeat(100));
    const err = await conversionError(convert(text));
    expect(err.kind).toBe('failed');
    expect(err.message).toMatch(/ffmpeg could not convert/);
    expect(err.message).not.toContain(dir.path);
  });

  it('says so when ffmpeg is missing, and kills one that takes too long', async () => {
    expect((await conversionError(convert(mp3, { ffmpegPath: join(dir.path, 'no-ffmpeg') }))).kind).toBe(
      'missing',
    );
    const slow = join(dir.path, 'slow-ffmpeg');
    writeFileSync(slow, '#!/bin/sh\nsleep 30\n');
    chmodSync(slow, 0o755);
    const started = Date.now();
    expect((await conversionError(convert(mp3, { ffmpegPath: slow, timeoutMs: 300 }))).kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a note larger than maxBytes', async () => {
    await expect(convert(mp3, { maxBytes: 1024 })).rejects.toMatchObject({ code: 'MEDIA_TOO_LARGE' });
  });
});
