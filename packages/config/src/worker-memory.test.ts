import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './index.js';

describe('worker memory settings', () => {
  it('refuses new sessions at 80 % of the heap limit and sheds at 90 % by default', () => {
    expect(loadWorkerConfig({}).memory).toEqual({ refuseRatio: 0.8, shedRatio: 0.9 });
    expect(loadWorkerConfig({ MEMORY_REFUSE_RATIO: '0.5', MEMORY_SHED_RATIO: '0.6' }).memory).toEqual({
      refuseRatio: 0.5,
      shedRatio: 0.6,
    });
  });

  it.each([
    [{ MEMORY_REFUSE_RATIO: '1.5' }, /MEMORY_REFUSE_RATIO/],
    [{ MEMORY_SHED_RATIO: 'lots' }, /MEMORY_SHED_RATIO/],
    [{ MEMORY_REFUSE_RATIO: '0.9', MEMORY_SHED_RATIO: '0.8' }, /MEMORY_SHED_RATIO/],
  ])('refuses %j', (env, message) => {
    expect(() => loadWorkerConfig(env)).toThrow(message);
  });
});
