import { describe, expect, it } from 'vitest';
import { lidPairsOf, storedLidPairs } from './lid-mapping-keys.js';

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

describe('storedLidPairs', () => {
  const stored: Record<string, string> = {
    '15550001': '9001',
    '9001_reverse': '15550001',
    '9002_reverse': '15550002',
  };
  const asked: string[][] = [];
  const keys = {
    get: async (_type: string, ids: string[]) => {
      asked.push(ids);
      return Object.fromEntries(ids.flatMap((id) => (stored[id] ? [[id, stored[id]]] : [])));
    },
  } as never;

  it('reads PN users forward and LIDs by their reverse entry, in one batch; devices and others ignored', async () => {
    const pairs = await storedLidPairs(keys, [
      '15550001@s.whatsapp.net',
      '9002:3@lid',
      '15559999@s.whatsapp.net',
      '120363000000000001@g.us',
    ]);
    expect(pairs).toEqual([
      { pn: '15550001@s.whatsapp.net', lid: '9001@lid' },
      { pn: '15550002@s.whatsapp.net', lid: '9002@lid' },
    ]);
    expect(asked).toEqual([['15550001', '9002_reverse', '15559999']]);
  });

  it('asks nothing when no user could have a pair', async () => {
    asked.length = 0;
    expect(await storedLidPairs(keys, ['120363000000000001@g.us'])).toEqual([]);
    expect(asked).toEqual([]);
  });
});
