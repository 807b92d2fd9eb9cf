import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './index.js';

// The live event stream's caps (GET /api/events, issue #18), one test per rule.
const KEY = 'k'.repeat(32);

describe.each([
  ['SSE_MAX_STREAMS', 'maxEventStreams', 1000],
  ['SSE_MAX_STREAMS_PER_KEY', 'maxEventStreamsPerKey', 10],
] as const)('%s', (name, field, fallback) => {
  it(`defaults to ${fallback}`, () => {
    expect(loadApiConfig({ API_KEY: KEY })[field]).toBe(fallback);
  });

  it('takes a positive integer', () => {
    expect(loadApiConfig({ API_KEY: KEY, [name]: '25' })[field]).toBe(25);
  });

  it.each(['0', '-1', '2.5', 'lots', '100001'])('rejects %s (0 would refuse every stream)', (value) => {
    expect(() => loadApiConfig({ API_KEY: KEY, [name]: value })).toThrow(
      new RegExp(`${name} expected an integer from 1 to 100000`),
    );
  });
});
