import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

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
    // Realistic values, long and distinct enough that any leak would be found in the line.
    const secrets = {
      apiKey: 'wagw_live_8f3a9c2e71d04b6a95e3f0c8d2b7a641',
      bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.kP9x2Qm7vR4tY8wZ1aB3cD5eF6gH0jL',
      headerKey: '3b6f0e9d2c8a4715b0e6d3f9a2c7e1b4',
      phone: '15551234567',
      body: 'Your verification code is 482913, do not share it',
      jobToken: 'tok_5d8e1f0a7b3c49e2a6d0f8b1c3e5a7d9',
      webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    };
    logger.info(
      {
        apiKey: secrets.apiKey,
        req: { headers: { authorization: `Bearer ${secrets.bearer}`, 'x-api-key': secrets.headerKey } },
        job: { to: `${secrets.phone}@s.whatsapp.net`, text: secrets.body, token: secrets.jobToken },
        webhook: { secret: secrets.webhookSecret },
        sessionId: 'sess-1',
      },
      'sending',
    );
    expect(lines).toHaveLength(1);
    const line = JSON.stringify(lines[0]);
    for (const leaked of Object.values(secrets)) expect(line).not.toContain(leaked);
    expect(lines[0]).toMatchObject({
      sessionId: 'sess-1',
      instanceId: 'i1',
      name: 'test',
      msg: 'sending',
      apiKey: '[redacted]',
      req: { headers: { authorization: '[redacted]', 'x-api-key': '[redacted]' } },
      job: { to: '[redacted]', text: '[redacted]', token: '[redacted]' },
      webhook: { secret: '[redacted]' },
    });
  });

  it('serialises errors under err with their stack', () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error('boom', { cause: new Error('root') }) }, 'failed');
    const err = lines[0]?.err as { message: string; stack: string };
    expect(err.message).toContain('boom');
    expect(err.stack).toContain('Error: boom');
  });
});
