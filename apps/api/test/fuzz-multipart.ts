import fc from 'fast-check';

// Multipart bodies for fuzz.test.ts: the OpenAPI document says only "multipart/form-data" for
// POST /api/media, so the parts are made here (file or not, odd names, a boundary that does not
// match, a body cut before its closing boundary).

/** A multipart/form-data body: a file part (an image, random bytes, none), a text field, or a broken one. */
export function multipartBody(): fc.Arbitrary<{ payload: Buffer; type: string }> {
  const boundary = 'fuzz-boundary';
  const part = fc.record({
    name: fc.constantFrom('file', 'media', 'x', '', '"'),
    filename: fc.option(fc.constantFrom('a.png', 'a.pdf', '', '../../x', 'é\u0000.bin'), { nil: undefined }),
    type: fc.option(fc.constantFrom('image/png', 'application/pdf', 'text/plain', 'x/y', ''), {
      nil: undefined,
    }),
    data: fc.oneof(
      fc.constant(SMALL_PNG),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    ),
  });
  const encode = (
    parts: Array<{ name: string; filename?: string; type?: string; data: Buffer }>,
    close: boolean,
  ) =>
    Buffer.concat([
      ...parts.flatMap((p) => [
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"` +
            `${p.filename === undefined ? '' : `; filename="${p.filename}"`}\r\n` +
            `${p.type === undefined ? '' : `Content-Type: ${p.type}\r\n`}\r\n`,
        ),
        p.data,
        Buffer.from('\r\n'),
      ]),
      Buffer.from(close ? `--${boundary}--\r\n` : ''),
    ]);
  return fc
    .tuple(fc.array(part, { maxLength: 3 }), fc.boolean(), fc.constantFrom(boundary, 'other', ''))
    .map(([parts, close, declared]) => ({
      payload: encode(parts, close),
      type: `multipart/form-data; boundary=${declared}`,
    }));
}

/** The smallest valid PNG: 1x1, one grey pixel. */
const SMALL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==',
  'base64',
);
