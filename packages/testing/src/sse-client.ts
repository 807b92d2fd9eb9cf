/** One Server-Sent Events message (comments are collected separately). */
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
}

/**
 * A minimal SSE client over fetch for tests: `next()` yields each message that carries data; keep-alive
 * comments are collected in `comments`. Not EventSource: it sends arbitrary headers (API keys).
 */
export async function openEventStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const comments: string[] = [];
  // A read the timeout won against stays pending: the next call awaits the same read (a second
  // read() would queue behind it). If the stream breaks meanwhile (the gateway closed, or close()),
  // its rejection is handled here, not raised as an unhandled error in whatever test runs then.
  let pending: ReturnType<NonNullable<typeof reader>['read']> | undefined;

  async function next(timeoutMs = 3000): Promise<SseMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message: SseMessage = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line);
          const [field, ...rest] = line.split(': ');
          if (field === 'id' || field === 'event' || field === 'data') message[field] = rest.join(': ');
        }
        if (message.data !== undefined) return message;
        continue;
      }
      if (!reader || Date.now() > deadline) throw new Error('no SSE message in time');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no SSE message in time')), deadline - Date.now());
      });
      if (!pending) {
        pending = reader.read();
        pending.catch(() => undefined);
      }
      const chunk = await Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
      pending = undefined;
      if (chunk.done) throw new Error('stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  }

  return { res, next, comments, close: () => controller.abort() };
}

export type EventStreamClient = Awaited<ReturnType<typeof openEventStream>>;
