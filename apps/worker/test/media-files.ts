import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createFsMediaStore, type MediaStore } from '@wagw/media';
import type { MediaSource } from '@wagw/queue';
import { requireTool } from '@wagw/testing';
import sharp from 'sharp';

/** One file of each kind a media message can carry, made with the tools the gateway itself uses. */
export interface MediaFiles {
  jpeg: Buffer;
  png: Buffer;
  webp: Buffer;
  /** H.264 in MP4, 2 s of ffmpeg's test pattern. */
  mp4: Buffer;
  mp3: Buffer;
  m4a: Buffer;
  /** Ogg/Opus: a voice note as WhatsApp records one. */
  ogg: Buffer;
  /** A small but well-formed PDF. */
  pdf: Buffer;
}

export async function makeMediaFiles(): Promise<MediaFiles> {
  const FFMPEG = requireTool('ffmpeg');
  const dir = mkdtempSync(join(tmpdir(), 'wagw-media-files-'));
  try {
    const ffmpeg = (name: string, args: string[]) => {
      const out = join(dir, name);
      execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', ...args, '-y', out]);
      return readFileSync(out);
    };
    const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2'];
    const picture = sharp({
      create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 80, b: 40 } },
    });
    return {
      jpeg: await picture.clone().jpeg({ quality: 80 }).toBuffer(),
      png: await picture.clone().png().toBuffer(),
      webp: await sharp({
        create: { width: 512, height: 512, channels: 4, background: { r: 0, g: 160, b: 90, alpha: 0.5 } },
      })
        .webp()
        .toBuffer(),
      mp4: ffmpeg('clip.mp4', [
        ...['-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=25'],
        ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'],
      ]),
      mp3: ffmpeg('tone.mp3', [...tone, '-c:a', 'libmp3lame', '-b:a', '64k']),
      m4a: ffmpeg('tone.m4a', [...tone, '-c:a', 'aac', '-b:a', '64k']),
      ogg: ffmpeg('note.ogg', [...tone, '-c:a', 'libopus', '-b:a', '32k', '-ac', '1', '-ar', '48000']),
      pdf: minimalPdf(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A video of noise, which does not compress: `seconds` of it is a few MB (for a long upload). */
export function makeNoiseVideo(seconds: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'wagw-media-files-'));
  try {
    const out = join(dir, 'noise.mp4');
    execFileSync(requireTool('ffmpeg'), [
      ...['-hide_banner', '-loglevel', 'error'],
      ...['-f', 'lavfi', '-i', `color=c=gray:size=320x240:rate=25:duration=${seconds}`],
      ...['-vf', 'noise=alls=100:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0'],
      ...['-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-y', out],
    ]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function minimalPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Stores a file as the API does on upload, in the gateway's media directory or the given store:
 * the `{ id, ... }` to send.
 */
export async function storeMedia(where: string | MediaStore, bytes: Buffer): Promise<MediaSource> {
  const store = typeof where === 'string' ? createFsMediaStore({ root: where }) : where;
  const info = await store.put(Readable.from([bytes]), { maxBytes: 256 * 1024 * 1024 });
  return { id: info.id, sha256: info.sha256, size: info.size, mimetype: info.mimetype };
}
