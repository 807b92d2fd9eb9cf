import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './index.js';

describe('loadWorkerConfig: DB_SPOOL_MAX', () => {
  it('keeps 10,000 writes per session by default and reads an override', () => {
    expect(loadWorkerConfig({}).dbSpoolMax).toBe(10_000);
    expect(loadWorkerConfig({ DB_SPOOL_MAX: '500' }).dbSpoolMax).toBe(500);
  });

  it.each(['0', '-1', '1000001', 'many'])('refuses DB_SPOOL_MAX=%s', (value) => {
    expect(() => loadWorkerConfig({ DB_SPOOL_MAX: value })).toThrow(/DB_SPOOL_MAX/);
  });
});
