import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { createEvent } from '@wagw/queue';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { EventHub, HubListener } from './event-hub.js';
import { matches, startEventStream } from './event-stream.js';
import { type StreamEntry, toEntry } from './stream-entries.js';

describe('matches', () => {
  const event = createEvent('session.status', 's1', {});

  it('passes everything without a filter', () => {
    expect(matches(event, {})).toBe(true);
  });

  it('filters by session and by event name', () => {
    expect(matches(event, { sessionId: 's1' })).toBe(true);
    expect(matches(event, { sessionId: 's2' })).toBe(false);
    expect(matches(event, { events: new Set(['session.status', 'session.qr']) })).toBe(true);
    expect(matches(event, { events: new Set(['message.received']) })).toBe(false);
  });

  it('a session filter excludes events without a session', () => {
    expect(matches(createEvent('system.health', null, {}), { sessionId: 's1' })).toBe(false);
  });
});

describe('startEventStream', () => {
  /** A response that never drains: what a client that stopped reading looks like to us. */
  class StalledResponse extends EventEmitter {
    chunks: string[] = [];
    writableLength = 0;
    writableEnded = false;
    destroyed = false;
    write(chunk: string): boolean {
      this.chunks.push(chunk);
      this.writableLength += chunk.length;
      return false;
    }
    end(): void {
      this.writableEnded = true;
    }
    destroy(): void {
      this.destroyed = true;
      queueMicrotask(() => this.emit('close'));
    }
  }

  function start(response: StalledResponse) {
    let listener: HubListener = () => {};
    let subscribed = 0;
    const hub = {
      subscribe(l: HubListener) {
        listener = l;
        subscribed += 1;
        return { position: Promise.resolve('5-0'), unsubscribe: () => (subscribed -= 1) };
      },
    } as unknown as EventHub;
    let ended = 0;
    const stream = startEventStream({
      response: response as unknown as ServerResponse,
      hub,
      redis: {} as Redis,
      prefix: 'unused',
      afterId: '5-0',
      filter: { sessionId: 's1' },
      pingMs: 60_000,
      logger: { debug() {}, warn() {}, error() {} },
      onEnd: () => (ended += 1),
    });
    return {
      stream,
      publish: (entries: StreamEntry[]) => listener(entries),
      ended: () => ended,
      subscribed: () => subscribed,
    };
  }

  const entry = (id: string, sessionId: string, size = 10) =>
    toEntry(id, createEvent('message.received', sessionId, { text: 'x'.repeat(size) }));

  it('sends the entries after its resume point that pass the filter, each once', async () => {
    const response = new StalledResponse();
    const s = start(response);
    await new Promise((r) => setTimeout(r, 0));
    s.publish([entry('4-0', 's1'), entry('5-0', 's1'), entry('6-0', 's1'), entry('7-0', 's2')]);
    s.publish([entry('6-0', 's1'), entry('8-0', 's1')]);
    const ids = response.chunks.filter((c) => c.startsWith('id:')).map((c) => c.split('\n')[0]);
    expect(ids).toEqual(['id: 6-0', 'id: 8-0']);
    s.stream.close();
  });

  it('drops a client that leaves more than 1 MiB unread, once, and leaves the hub', async () => {
    const response = new StalledResponse();
    const s = start(response);
    await new Promise((r) => setTimeout(r, 0));
    for (let i = 0; i < 12; i++) s.publish([entry(`${10 + i}-0`, 's1', 100_000)]);
    await new Promise((r) => setTimeout(r, 0));
    expect(response.destroyed).toBe(true);
    expect(response.writableLength).toBeLessThan(1.2 * 1024 * 1024);
    expect([s.ended(), s.subscribed()]).toEqual([1, 0]);
  });
});
