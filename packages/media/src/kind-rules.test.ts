import { describe, expect, it } from 'vitest';
import { canonicalMimetype, checkMediaKind, essence, isVoiceReady, VOICE_MIMETYPE } from './index.js';

const refused = (reason: string) => ({ ok: false, reason });
const OK = { ok: true };

describe('essence', () => {
  it('drops parameters and case', () => {
    expect(essence('Audio/OGG; codecs=opus')).toBe('audio/ogg');
    expect(essence(' image/png ')).toBe('image/png');
    expect(essence('')).toBe('');
  });
});

describe('checkMediaKind', () => {
  it('takes the formats WhatsApp renders for each kind, and refuses the others', () => {
    for (const m of ['image/jpeg', 'image/png', 'image/webp']) expect(checkMediaKind('image', m)).toEqual(OK);
    expect(checkMediaKind('image', 'image/gif')).toEqual(refused('an image cannot be image/gif'));
    expect(checkMediaKind('image', 'video/mp4')).toEqual(refused('an image cannot be video/mp4'));
    for (const m of ['video/mp4', 'video/3gpp', 'video/quicktime', 'video/x-m4v'])
      expect(checkMediaKind('video', m)).toEqual(OK);
    expect(checkMediaKind('video', 'video/webm')).toEqual(refused('a video cannot be video/webm'));
    expect(checkMediaKind('sticker', 'image/webp')).toEqual(OK);
    expect(checkMediaKind('sticker', 'image/png')).toEqual(refused('a sticker cannot be image/png'));
    for (const m of ['audio/mpeg', 'audio/wav', 'audio/x-m4a', 'audio/ogg; codecs=opus', 'application/ogg']) {
      expect(checkMediaKind('audio', m)).toEqual(OK);
      expect(checkMediaKind('voice', m)).toEqual(OK);
    }
    expect(checkMediaKind('voice', 'image/png')).toEqual(refused('a voice cannot be image/png'));
  });

  it('a document may be anything, unknown bytes included; other kinds need recognisable bytes', () => {
    for (const m of ['application/pdf', 'application/x-msdownload', 'image/png', 'application/octet-stream'])
      expect(checkMediaKind('document', m)).toEqual(OK);
    expect(checkMediaKind('document', 'application/octet-stream', 'text/csv')).toEqual(OK);
    expect(checkMediaKind('image', 'application/octet-stream')).toEqual(
      refused('the file is not a recognisable image'),
    );
    expect(checkMediaKind('image', 'application/octet-stream', 'image/png')).toEqual(
      refused('the file is not a recognisable image'),
    );
  });

  it('a declared type must agree with the bytes, parameters and case aside', () => {
    expect(checkMediaKind('image', 'image/jpeg', 'image/png')).toEqual(
      refused('the file is image/jpeg, not image/png as declared'),
    );
    expect(checkMediaKind('voice', 'audio/ogg; codecs=opus', 'audio/OGG')).toEqual(OK);
    // A PDF that is really an executable: refused as a document too.
    expect(checkMediaKind('document', 'application/x-msdownload', 'application/pdf')).toEqual(
      refused('the file is application/x-msdownload, not application/pdf as declared'),
    );
  });

  it('common other names of a type agree with the sniffed one', () => {
    expect(checkMediaKind('image', 'image/jpeg', 'image/jpg')).toEqual(OK);
    expect(checkMediaKind('audio', 'audio/mpeg', 'audio/mp3')).toEqual(OK);
    expect(checkMediaKind('voice', 'audio/wav', 'audio/x-wav')).toEqual(OK);
    expect(checkMediaKind('audio', 'audio/x-m4a', 'audio/mp4')).toEqual(OK);
    expect(checkMediaKind('voice', 'audio/ogg; codecs=opus', 'audio/opus')).toEqual(OK);
    expect(checkMediaKind('video', 'video/x-m4v', 'video/mp4')).toEqual(OK);
    expect(checkMediaKind('audio', 'audio/mpeg', 'audio/wav')).toEqual(
      refused('the file is audio/mpeg, not audio/wav as declared'),
    );
  });

  it('documents may name the format inside a container the sniffer stops at (CFB, zip)', () => {
    expect(checkMediaKind('document', 'application/x-cfb', 'application/msword')).toEqual(OK);
    expect(
      checkMediaKind('document', 'application/zip', 'application/vnd.ms-excel.sheet.macroEnabled.12'),
    ).toEqual(OK);
    // Only documents: a zip is no image whatever it is called.
    expect(checkMediaKind('image', 'application/zip', 'image/png').ok).toBe(false);
  });
});

describe('canonicalMimetype', () => {
  it('renames aliases, keeps parameters, leaves everything else as given', () => {
    expect(canonicalMimetype('image/jpg')).toBe('image/jpeg');
    expect(canonicalMimetype('Audio/MP3')).toBe('audio/mpeg');
    expect(canonicalMimetype('audio/opus; rate=48000')).toBe('audio/ogg; rate=48000');
    expect(canonicalMimetype('audio/ogg; codecs=opus')).toBe('audio/ogg; codecs=opus');
    expect(canonicalMimetype('application/vnd.ms-excel')).toBe('application/vnd.ms-excel');
  });
});

describe('isVoiceReady', () => {
  it('Ogg goes out as it is; anything else is converted', () => {
    for (const m of [VOICE_MIMETYPE, 'audio/ogg', 'audio/opus', 'application/ogg', 'video/ogg'])
      expect(isVoiceReady(m), m).toBe(true);
    for (const m of ['audio/mpeg', 'audio/wav', 'audio/x-m4a', 'audio/aac', 'application/octet-stream'])
      expect(isVoiceReady(m), m).toBe(false);
  });
});
