import { createLogger } from '@wagw/logger';
import { describe, expect, it } from 'vitest';
import { createOutboxRemovals } from './outbox-removals.js';

const logger = createLogger({ name: 'test', level: 'silent' });

function store() {
  const removed: string[][] = [];
  return { removed, remove: async (ids: string[]) => void removed.push(ids) };
}

describe('outbox removals', () => {
  it('deletes the published events in one batch', async () => {
    const s = store();
    const removals = createOutboxRemovals(s, logger);
    removals.add('a');
    removals.add('b');
    await removals.flush();
    expect(s.removed).toEqual([['a', 'b']]);
  });

  it('keeps the rows for the relay while a replica has not confirmed the events (Sentinel)', async () => {
    const s = store();
    let confirmed = false;
    const removals = createOutboxRemovals(s, logger, async () => confirmed);
    removals.add('a');
    await removals.flush();
    expect(s.removed).toEqual([]);
    confirmed = true;
    removals.add('b');
    await removals.flush();
    expect(s.removed).toEqual([['b']]);
  });
});
