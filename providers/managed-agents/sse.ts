// One connection's worth of Server-Sent Events. Framing is eventsource-parser's (the maintained WHATWG parser:
// multi-line data, CRLF, comments, BOM), not ours. What this adds is the idle bound: a stream that stays silent
// longer than idleTimeoutMs is treated as cut, because a half-open TCP connection never errors by itself and a
// follower waiting on it would wait forever. Comments (`: keep-alive`) count as signs of life.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Why a connection ended early, for the follower's reconnect decision. */
export class StreamCutError extends Error {
  override name = 'StreamCutError';
}

/**
 * Yields the messages of `response`'s body until it ends. Rejects with a StreamCutError when the body breaks
 * off or stays silent for `idleTimeoutMs` (time spent by the consumer between two messages not counted);
 * with `signal`'s reason when the caller aborts.
 */
export async function* readServerSentEvents(
  response: Response,
  idleTimeoutMs: number,
  signal: AbortSignal,
): AsyncGenerator<EventSourceMessage> {
  const body = response.body;
  if (!body) return;
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => queue.push(message) });
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let idle: NodeJS.Timeout | undefined;
  let silent = false;
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      silent = true;
      void reader.cancel();
    }, idleTimeoutMs);
  };
  const onAbort = () => void reader.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    armIdle();
    for (;;) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        throw new StreamCutError(`stream broke off: ${(err as Error).message}`, { cause: err });
      }
      if (signal.aborted) throw signal.reason;
      if (silent) throw new StreamCutError(`stream silent for ${idleTimeoutMs} ms`);
      if (chunk.done) return;
      // The consumer's time with an event (recording it durably) is not the server's silence.
      clearTimeout(idle);
      parser.feed(chunk.value);
      while (queue.length > 0) yield queue.shift() as EventSourceMessage;
      armIdle();
    }
  } finally {
    clearTimeout(idle);
    signal.removeEventListener('abort', onAbort);
    await reader.cancel().catch(() => undefined);
  }
}
