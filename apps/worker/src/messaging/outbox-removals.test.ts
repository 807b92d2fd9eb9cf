import { createLogger } from '@wagw/logger';
import { describe, expect, it, vi } from 'vitest';
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
    let checks = 0;
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const removals = createOutboxRemovals(s, logger, async () => {
      checks += 1;
      return confirmed;
    });
    removals.add('a');
    await removals.flush();
    expect(s.removed).toEqual([]);
    // Unconfirmed: the next batches within a second keep their rows without asking (WAIT holds the
    // publishing connection), then it asks again.
    confirmed = true;
    removals.add('b');
    await removals.flush();
    expect([s.removed, checks]).toEqual([[], 1]);
    now += 1000;
    removals.add('c');
    await removals.flush();
    expect([s.removed, checks]).toEqual([[['c']], 2]);
    vi.restoreAllMocks();
  });
});
