import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskPhone } from './index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ name: 'test', destination, base: { instanceId: 'i1' } }) };
}

describe('createLogger', () => {
  it('redacts keys, tokens, phone numbers and message bodies', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        apiKey: 'sk_live_123',
        req: { headers: { authorization: 'Bearer abc', 'x-api-key': 'k' } },
        job: { to: '15551234567@s.whatsapp.net', text: 'hello secret', token: 't' },
        sessionId: 'sess-1',
      },
      'sending',
    );
    const line = JSON.stringify(lines[0]);
    for (const leaked of ['sk_live_123', 'Bearer abc', '15551234567', 'hello secret']) {
      expect(line).not.toContain(leaked);
    }
    expect(lines[0]).toMatchObject({ sessionId: 'sess-1', instanceId: 'i1', name: 'test', msg: 'sending' });
  });

  it('serialises errors under err with their stack', () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error('boom', { cause: new Error('root') }) }, 'failed');
    const err = lines[0]?.err as { message: string; stack: string };
    expect(err.message).toContain('boom');
    expect(err.stack).toContain('Error: boom');
  });
});

describe('maskPhone', () => {
  it('keeps only the last four digits', () => {
    expect(maskPhone('15551234567@s.whatsapp.net')).toBe('***4567');
    expect(maskPhone('15551234567:5@s.whatsapp.net')).toBe('***4567');
    expect(maskPhone('123')).toBe('***');
  });
});
