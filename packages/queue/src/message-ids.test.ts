import { describe, expect, it } from 'vitest';
import { waMessageIdFor } from './message-ids.js';

describe('waMessageIdFor', () => {
  it('is deterministic and shaped like a Baileys id', () => {
    expect(waMessageIdFor('01ABC')).toBe(waMessageIdFor('01ABC'));
    expect(waMessageIdFor('01ABC')).not.toBe(waMessageIdFor('01ABD'));
    expect(waMessageIdFor('01ABC')).toMatch(/^3EB0[0-9A-F]{18}$/);
  });
});
