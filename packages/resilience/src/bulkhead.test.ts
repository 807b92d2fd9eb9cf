import { BulkheadRejectedError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { createBulkhead } from './bulkhead.js';

/** A task the test finishes by hand, recording when it started. */
function gatedTask(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const run = async () => {
    started.push(name);
    await done;
    return name;
  };
  return { run, finish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createBulkhead', () => {
  it('runs at most `limit` calls at once and starts the waiting ones in arrival order', async () => {
    const gate = createBulkhead(2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => gatedTask(started, name));
    const results = tasks.map((task) => gate.execute(task.run));
    await tick();
    expect(started).toEqual(['a', 'b']);
    tasks[1]?.finish();
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
    tasks[0]?.finish();
    await tick();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    tasks[2]?.finish();
    tasks[3]?.finish();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd']);
  });

  it('frees the slot of a call that failed, and passes its error through', async () => {
    const gate = createBulkhead(1);
    const boom = new Error('boom');
    await expect(gate.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    await expect(gate.execute(async () => 'next')).resolves.toBe('next');
  });

  it('queues without bound by default', async () => {
    const gate = createBulkhead(1);
    const started: string[] = [];
    const first = gatedTask(started, 'first');
    const running = gate.execute(first.run);
    const waiting = Array.from({ length: 1000 }, (_, i) => gate.execute(async () => i));
    await tick();
    first.finish();
    await expect(running).resolves.toBe('first');
    const values = await Promise.all(waiting);
    expect(values).toHaveLength(1000);
    expect(values[999]).toBe(999);
  });

  it('with a bounded queue, rejects the call that finds both the slots and the queue full, without running it', async () => {
    const gate = createBulkhead(1, 1);
    const started: string[] = [];
    const first = gatedTask(started, 'first');
    const second = gatedTask(started, 'second');
    const running = gate.execute(first.run);
    const queued = gate.execute(second.run);
    let ranThird = false;
    const refused = await gate
      .execute(async () => {
        ranThird = true;
      })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(BulkheadRejectedError);
    expect(ranThird).toBe(false);
    first.finish();
    second.finish();
    await expect(Promise.all([running, queued])).resolves.toEqual(['first', 'second']);
  });
});
