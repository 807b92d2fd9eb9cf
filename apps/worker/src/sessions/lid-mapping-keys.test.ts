import { describe, expect, it } from 'vitest';
import { lidPairsOf } from './lid-mapping-keys.js';

describe('lidPairsOf', () => {
  it('reads the forward entries of a lid-mapping write and skips the reverse ones and deletions', () => {
    const pairs = lidPairsOf({
      'lid-mapping': { '15550001': '9001', '9001_reverse': '15550001', '15550002': null as never },
      session: { 'x.0': Buffer.from('s') as never },
    });
    expect(pairs).toEqual([{ pn: '15550001@s.whatsapp.net', lid: '9001@lid' }]);
  });

  it('finds nothing in writes of other key types', () => {
    expect(lidPairsOf({ 'pre-key': {} })).toEqual([]);
  });
});
