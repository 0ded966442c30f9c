// The live event stream over real SSE: each event as `id:`, `event:` and a JSON `data:` line, the backlog after
// `?after=` (exclusive, A7) first and then live events, a comment every keepAliveMs so idle connections show
// signs of life, and the end of the response once the terminal status event is written. The stream faults
// (cuts, slow events, 5xx on reconnect, re-sent and doubled events) are applied here, per connection, and every
// connection is recorded so tests can check that the fault they asked for really happened.
import type { Context } from 'koa';
import type { SessionEvent } from '../schemas.js';
import { isTerminalStatus } from '../vocabulary.js';
import { PlatformError } from './platform-errors.js';
import type { SessionEngine } from './session-engine.js';
import type { SessionRecord } from './store.js';

/** What one stream connection did, as the emulator saw it. */
export interface ConnectionRecord {
  after: string | undefined;
  /** HTTP status answered: 200, or the injected reconnect failure. */
  status: number;
  /** Event IDs in the order written, re-sent and doubled ones included. */
  written: string[];
  cut: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const frame = (event: SessionEvent) =>
  `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

export class StreamServer {
  private readonly connections = new Map<string, ConnectionRecord[]>();

  constructor(
    private readonly engine: SessionEngine,
    private readonly keepAliveMs: number,
  ) {}

  /** Every connection made to `sessionId`'s stream, oldest first. */
  connectionsOf(sessionId: string): ConnectionRecord[] {
    return this.connections.get(sessionId) ?? [];
  }

  clear(): void {
    this.connections.clear();
  }

  /** Answers `GET …/stream` for `session`; the response stays open until the session ends or the client goes. */
  serve(ctx: Context, session: SessionRecord, after: string | undefined): void {
    const record: ConnectionRecord = { after, status: 200, written: [], cut: false };
    const list = this.connections.get(session.id) ?? [];
    list.push(record);
    this.connections.set(session.id, list);
    const faults = this.engine.faultsOf(session);
    let start = 0;
    if (after !== undefined) {
      const at = session.events.findIndex((event) => event.id === after);
      if (at < 0)
        throw new PlatformError(400, 'invalid_after', `event ${after} is not in session ${session.id}`);
      if (faults && faults.reconnectFailures > 0) {
        faults.reconnectFailures--;
        record.status = faults.reconnectStatus;
        throw new PlatformError(faults.reconnectStatus, 'unavailable', 'stream unavailable (emulated)');
      }
      start = Math.max(0, at + 1 - (faults?.resendOnReconnect ?? 0));
    }

    const queue = session.events.slice(start);
    /** The client left (or was cut off): write nothing more. */
    let gone = false;
    /** The session was deleted: write what is queued, then end. */
    let ended = false;
    let wake: (() => void) | undefined;
    const nudge = () => {
      wake?.();
      wake = undefined;
    };
    const unsubscribe = this.engine.subscribe(session, (signal) => {
      if ('closed' in signal) ended = true;
      else queue.push(signal.event);
      nudge();
    });
    // Written straight to the socket, not through Koa's body, so a cut falls exactly after the events sent.
    ctx.respond = false;
    const res = ctx.res;
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), this.keepAliveMs);
    const stop = () => {
      gone = true;
      clearInterval(keepAlive);
      unsubscribe();
      nudge();
    };
    ctx.req.on('close', stop);
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': connected\n\n');

    const write = (event: SessionEvent, then?: () => void) => {
      res.write(frame(event), then);
      record.written.push(event.id);
    };
    const pump = async () => {
      let sent = 0;
      for (;;) {
        const event = queue.shift();
        if (!event) {
          if (gone || ended || isTerminalStatus(session.status)) break;
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (faults && faults.slowEventMs > 0) await sleep(faults.slowEventMs);
        if (gone) return;
        sent++;
        const doubled = faults?.duplicateEvery !== undefined && sent % faults.duplicateEvery === 0;
        if (faults?.cutAfterEvents !== undefined && faults.cuts > 0 && sent >= faults.cutAfterEvents) {
          faults.cuts--;
          record.cut = true;
          stop();
          write(event, () => ctx.req.socket.destroy());
          return;
        }
        write(event);
        if (doubled) write(event);
      }
      stop();
      res.end();
    };
    void pump();
  }
}
