import { createLogger } from '@wagw/logger';
import { describe, expect, it } from 'vitest';
import { createOnDemandConsumer, type StoppableConsumer } from './on-demand-consumer.js';

/** A consumer whose close is held until the test lets it go. */
function fakeConsumers() {
  const started: Array<StoppableConsumer & { closed: boolean; finishClose: () => void }> = [];
  const start = () => {
    let finish = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const consumer = {
      closed: false,
      finishClose: () => finish(),
      async close() {
        consumer.closed = true;
        await done;
      },
      drain: async () => {},
    };
    started.push(consumer);
    return consumer;
  };
  return { started, start };
}

function setup(work: { busy: boolean }) {
  let clock = 0;
  const fakes = fakeConsumers();
  const gate = createOnDemandConsumer({
    sessionId: 's1',
    logger: createLogger({ name: 'test', level: 'silent' }),
    start: fakes.start,
    hasWork: async () => work.busy,
    idleMs: 1000,
    now: () => clock,
  });
  return { gate, fakes, advance: (ms: number) => (clock += ms) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('on-demand send consumer', () => {
  it('starts nothing until woken, then one consumer however many wakes', () => {
    const { gate, fakes } = setup({ busy: false });
    gate.observe(false);
    expect(fakes.started).toHaveLength(0);
    gate.wake();
    gate.wake();
    gate.observe(true);
    expect(fakes.started).toHaveLength(1);
    expect(gate.running()).toBe(true);
  });

  it('keeps a busy consumer and closes one that saw no work for the idle time', async () => {
    const work = { busy: true };
    const { gate, fakes, advance } = setup(work);
    gate.observe(true);
    advance(5000);
    gate.observe(true);
    expect(fakes.started[0]?.closed).toBe(false);
    work.busy = false;
    advance(999);
    gate.observe(false);
    expect(fakes.started[0]?.closed).toBe(false);
    advance(1);
    gate.observe(false);
    expect(fakes.started[0]?.closed).toBe(true);
    expect(gate.running()).toBe(false);
    fakes.started[0]?.finishClose();
    await settle();
    expect(fakes.started).toHaveLength(1);
  });

  it('a wake while the idle consumer closes starts a new one once the close is done', async () => {
    const { gate, fakes, advance } = setup({ busy: false });
    gate.wake();
    advance(1000);
    gate.observe(false);
    gate.wake();
    expect(fakes.started).toHaveLength(1);
    fakes.started[0]?.finishClose();
    await settle();
    expect(fakes.started).toHaveLength(2);
    expect(gate.running()).toBe(true);
  });

  it('a job that arrived unannounced while closing is found by the check after the close', async () => {
    const work = { busy: false };
    const { gate, fakes, advance } = setup(work);
    gate.wake();
    advance(1000);
    gate.observe(false);
    work.busy = true;
    fakes.started[0]?.finishClose();
    await settle();
    expect(fakes.started).toHaveLength(2);
  });

  it('after stop nothing starts again, and the running consumer is closed', async () => {
    const { gate, fakes } = setup({ busy: true });
    gate.wake();
    const stopping = gate.stop();
    fakes.started[0]?.finishClose();
    await stopping;
    expect(fakes.started[0]?.closed).toBe(true);
    gate.wake();
    gate.observe(true);
    expect(fakes.started).toHaveLength(1);
  });
});
