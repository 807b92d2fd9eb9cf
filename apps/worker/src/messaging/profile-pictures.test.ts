import { createLogger } from '@wagw/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProfilePictures } from './profile-pictures.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const JID = '15550001111@s.whatsapp.net';

function setup() {
  const stored: Array<[string, string]> = [];
  const pictures = createProfilePictures({
    sessionId: 's1',
    logger,
    timeoutMs: 1000,
    store: async (jid, url) => {
      stored.push([jid, url]);
    },
  });
  return { pictures, stored };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('profile pictures', () => {
  it('a lookup that fails (socket closed under it) is retried until it finds the picture', async () => {
    const { pictures, stored } = setup();
    const lookup = vi
      .fn<(jid: string) => Promise<string | undefined>>()
      .mockRejectedValueOnce(new Error('Connection Closed'))
      .mockRejectedValueOnce(new Error('no open socket'))
      .mockResolvedValue('http://cdn.example/p.jpg');
    pictures.refresh(lookup, JID);
    await vi.advanceTimersByTimeAsync(0);
    expect(pictures.retrying()).toBe(1);
    // Another message from the same sender while a retry waits starts no second lookup.
    pictures.refresh(lookup, JID);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(lookup).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lookup).toHaveBeenCalledTimes(3);
    expect(stored).toEqual([[JID, 'http://cdn.example/p.jpg']]);
    expect(pictures.cached(JID)).toBe('http://cdn.example/p.jpg');
    expect(pictures.retrying()).toBe(0);
  });

  it('gives up after three retries and then counts it as no picture (not looked up again per message)', async () => {
    const { pictures, stored } = setup();
    const lookup = vi.fn(async () => {
      throw new Error('timed out');
    });
    pictures.refresh(lookup, JID);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lookup).toHaveBeenCalledTimes(4);
    expect(pictures.retrying()).toBe(0);
    expect(pictures.cached(JID)).toBeNull();
    pictures.refresh(lookup, JID);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lookup).toHaveBeenCalledTimes(4);
    expect(stored).toEqual([]);
  });

  it('a contact without a picture is not retried', async () => {
    const { pictures } = setup();
    const lookup = vi.fn(async () => undefined);
    pictures.refresh(lookup, JID);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(pictures.cached(JID)).toBeNull();
  });

  it('dispose cancels the retries that wait', async () => {
    const { pictures } = setup();
    const lookup = vi.fn(async () => {
      throw new Error('Connection Closed');
    });
    pictures.refresh(lookup, JID);
    await vi.advanceTimersByTimeAsync(0);
    expect(pictures.retrying()).toBe(1);
    pictures.dispose();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
