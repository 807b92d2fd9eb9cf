import { describe, expect, it } from 'vitest';
import { negotiateQrFormat } from './qr.service.js';

describe('negotiateQrFormat', () => {
  it.each([
    [undefined, undefined, 'json'],
    [undefined, 'image/png', 'png'],
    [undefined, 'image/svg+xml;q=0.9', 'svg'],
    [undefined, 'text/plain', 'raw'],
    [undefined, 'text/html,application/xhtml+xml,*/*;q=0.8', 'json'],
    ['svg', 'image/png', 'svg'],
  ] as const)('format %s with Accept %s is %s', (format, accept, expected) => {
    expect(negotiateQrFormat(format, accept)).toBe(expected);
  });
});
