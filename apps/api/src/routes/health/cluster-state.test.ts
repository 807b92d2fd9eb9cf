import { describe, expect, it } from 'vitest';
import { safeBreakerName } from './cluster-state.js';

describe('safeBreakerName', () => {
  it('redacts phone numbers and JIDs', () => {
    expect(safeBreakerName('send:+4915112345678')).toBe('send:<redacted>');
    expect(safeBreakerName('send:4915112345678@s.whatsapp.net')).toBe('send:<redacted>');
    expect(safeBreakerName('webhook:4915112345678')).toBe('webhook:<redacted>');
  });

  it('keeps session ids whose random part holds a run of digits', () => {
    // A real case: this id made the metrics test fail once, its name cut to send:01M90X<redacted>MRR….
    expect(safeBreakerName('send:01M90X4623929MRR384QHWCX8X')).toBe('send:01M90X4623929MRR384QHWCX8X');
    expect(safeBreakerName('db:worker-1')).toBe('db:worker-1');
  });

  it('caps the length of a label', () => {
    expect(safeBreakerName(`send:${'a'.repeat(200)}`)).toHaveLength(120);
  });
});
