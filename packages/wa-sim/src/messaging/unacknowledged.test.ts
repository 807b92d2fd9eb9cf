import type { BinaryNode } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_SENDS, UnacknowledgedMessages } from './unacknowledged.js';

const message = (id: string): BinaryNode => ({ tag: 'message', attrs: { id }, content: undefined });
const JID = '15550001111.0:1@s.whatsapp.net';

describe('UnacknowledgedMessages', () => {
  it('a message the connection never acknowledged is orphaned when it ends, oldest first', () => {
    const pending = new UnacknowledgedMessages();
    pending.written(JID, message('a'), [1]);
    pending.written(JID, message('b'), [1]);
    pending.written(JID, message('c'), [1]);
    pending.acknowledged(JID, ['b']);
    expect(pending.orphaned(JID, new Set()).map((n) => n.attrs.id)).toEqual(['a', 'c']);
  });

  it('what a live connection was also written is left to that connection', () => {
    const pending = new UnacknowledgedMessages();
    pending.written(JID, message('before'), [1]);
    pending.written(JID, message('both'), [1, 2]);
    expect(pending.orphaned(JID, new Set([2])).map((n) => n.attrs.id)).toEqual(['before']);
  });

  it('only message stanzas with an id are kept; acknowledgements clear them for good', () => {
    const pending = new UnacknowledgedMessages();
    pending.written(JID, { tag: 'receipt', attrs: { id: 'r' } }, [1]);
    pending.written(JID, { tag: 'message', attrs: {} }, [1]);
    pending.written(JID, message('m'), [1]);
    expect(pending.count(JID)).toBe(1);
    pending.acknowledged(JID, ['m']);
    expect(pending.count(JID)).toBe(0);
    expect(pending.orphaned(JID, new Set())).toEqual([]);
  });

  it(`gives a message up after ${MAX_MESSAGE_SENDS} writes`, () => {
    const pending = new UnacknowledgedMessages();
    for (let n = 1; n <= MAX_MESSAGE_SENDS; n++) {
      pending.written(JID, message('stubborn'), [n]);
      const again = pending.orphaned(JID, new Set());
      expect(again).toHaveLength(n < MAX_MESSAGE_SENDS ? 1 : 0);
    }
    expect(pending.count(JID)).toBe(0);
  });
});
