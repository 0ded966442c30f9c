// Following one session to its end over the live stream, surviving what long-lived streams do: cuts, silent
// half-open connections, 5xx on reconnect, duplicates re-sent, and a resume the server refuses. It starts from
// the last event ID the caller has durably recorded (so a new worker continues where a dead one stopped) and
// hands on every later event exactly once (event-ledger.ts). When the stream cannot be resumed within its
// bounds, the full event log is the fallback; it is authoritative, so reconciling never invents or skips an
// event, and a session is reported finished only by its own status, never guessed from a quiet stream.
import type { EventSourceMessage } from 'eventsource-parser';
import { backoffDelayMs, backoffPolicy, sleep, type BackoffPolicy } from './backoff.js';
import { localError, ManagedAgentsApiError } from './errors.js';
import { compareEventIds, EventLedger, type EventIdComparator } from './event-ledger.js';
import { sessionEventSchema, type SessionEvent, type SessionMeta } from './schemas.js';
import { readServerSentEvents, StreamCutError } from './sse.js';
import { isSettledStatus, isTerminalStatus, STATUS_EVENT_TYPE } from './vocabulary.js';

/** A session's events as the stream hands them over, for SessionFollower. */
export interface SessionEventSource {
  /** Opens `GET …/stream`, resuming after `after` when given. */
  openStream(sessionId: string, after: string | undefined, signal: AbortSignal): Promise<Response>;
  getSessionEvents(sessionId: string, options?: { signal?: AbortSignal }): Promise<SessionEvent[]>;
  getSession(sessionId: string, options?: { signal?: AbortSignal }): Promise<SessionMeta>;
}

/** How a follower follows. */
export interface FollowOptions {
  /** The last event ID durably recorded; nothing at or before it is handed on. Absent: from the start. */
  after?: string;
  signal?: AbortSignal;
  /** `terminal` (default): until completed, failed or cancelled; `settled`: also stop when the turn goes idle. */
  until?: 'terminal' | 'settled';
  /** Reconnects between two events handed on; default 6 attempts, 250 ms doubling to 5 s. */
  reconnect?: Partial<BackoffPolicy>;
  /** A stream silent (not even a comment) for this long counts as cut; default 60 s. */
  idleTimeoutMs?: number;
  /** Reads of the full event log when the stream cannot be resumed, before giving up; default 3. */
  maxReconciliations?: number;
  /** The order of event IDs (A6); default compareEventIds. */
  compareEventIds?: EventIdComparator;
}

/** What happened while following, for logs, heartbeats and tests. */
export interface FollowStats {
  connections: number;
  reconnects: number;
  /** Events the server sent again that this follower had already handed on. */
  duplicatesDropped: number;
  /** Events at or before the starting ID (a server replaying what an earlier follower recorded). */
  staleDropped: number;
  reconciliations: number;
}

const DEFAULT_RECONNECT: BackoffPolicy = { maxAttempts: 6, initialDelayMs: 250, maxDelayMs: 5_000 };
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const KEEP_ALIVE_EVENTS = new Set(['ping', 'keepalive', 'heartbeat']);

/** A resume the server refuses outright (unknown or expired `after`): reconnecting again would not help. */
const isResumeRefusal = (err: unknown) =>
  err instanceof ManagedAgentsApiError && [400, 409, 410, 416, 422].includes(err.status);

/** Failures that another connection or a log read can cure; 401/403/404 and broken contracts cannot. */
const isRecoverable = (err: unknown) =>
  err instanceof StreamCutError ||
  isResumeRefusal(err) ||
  (err instanceof ManagedAgentsApiError && (err.retryable || err.code === 'MALFORMED_RESPONSE'));

/**
 * An async iterable of one session's events, each with its `id`, ending when the session reaches a terminal
 * status (or settles, with `until: 'settled'`). Iterate it once. It rejects with the signal's reason on abort,
 * and with a ManagedAgentsApiError when the session is gone (404), access is refused, an event is unreadable
 * (MALFORMED_EVENT) or out of order (EVENT_ORDER), or neither stream nor log could be read within the bounds
 * (STREAM_EXHAUSTED, `cause` the last failure).
 */
export class SessionFollower implements AsyncIterable<SessionEvent> {
  /** The latest status seen, from a status event (or, when the log has none, the session's metadata). */
  status: string | undefined;
  readonly stats: FollowStats = {
    connections: 0,
    reconnects: 0,
    duplicatesDropped: 0,
    staleDropped: 0,
    reconciliations: 0,
  };
  private readonly ledger: EventLedger;
  private readonly policy: BackoffPolicy;
  private readonly signal: AbortSignal;
  private readonly idleTimeoutMs: number;
  private readonly maxReconciliations: number;
  private started = false;

  constructor(
    private readonly source: SessionEventSource,
    readonly sessionId: string,
    private readonly options: FollowOptions = {},
  ) {
    if (sessionId === '') throw new TypeError('followSession: sessionId is empty');
    this.ledger = new EventLedger(options.after, options.compareEventIds ?? compareEventIds);
    this.policy = backoffPolicy({ ...DEFAULT_RECONNECT, ...options.reconnect }, 'reconnect');
    this.signal = options.signal ?? new AbortController().signal;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.maxReconciliations = options.maxReconciliations ?? 3;
    if (!(this.idleTimeoutMs > 0)) throw new TypeError('followSession: idleTimeoutMs must be positive');
  }

  /** The ID of the last event handed on, or the starting ID: what a heartbeat should record. */
  get lastEventId(): string | undefined {
    return this.ledger.lastEventId;
  }

  /** Whether the session has reached the status this follower waits for. */
  get done(): boolean {
    return this.options.until === 'settled' ? isSettledStatus(this.status) : isTerminalStatus(this.status);
  }

  [Symbol.asyncIterator](): AsyncIterator<SessionEvent> {
    if (this.started) throw new TypeError('a SessionFollower can be iterated only once');
    this.started = true;
    return this.follow();
  }

  private async *follow(): AsyncGenerator<SessionEvent> {
    let failures = 0;
    let reconciliations = 0;
    let reconcileNext = false;
    const progress = () => {
      failures = 0;
      reconciliations = 0;
    };
    for (;;) {
      try {
        if (reconcileNext) {
          reconcileNext = false;
          // A log read that finds new events is progress like a stream's: only reads that find nothing count
          // towards giving up, so a running session whose stream cannot resume is still followed to its end.
          for await (const event of this.reconcile()) {
            progress();
            yield event;
          }
          if (this.done) return;
          continue;
        }
        yield* this.stream(progress);
        if (this.done) return;
        throw new StreamCutError('the stream ended before the session settled');
      } catch (err) {
        if (this.signal.aborted) throw this.signal.reason;
        if (!isRecoverable(err)) throw err;
        failures++;
        if (failures >= this.policy.maxAttempts || isResumeRefusal(err)) {
          if (reconciliations >= this.maxReconciliations) {
            const detail = `session ${this.sessionId}: stream not resumable after ${this.stats.connections} connections and ${reconciliations} log reads`;
            throw localError('STREAM_EXHAUSTED', detail, {}, err);
          }
          reconciliations++;
          failures = 0;
          reconcileNext = true;
        } else {
          this.stats.reconnects++;
        }
        const retryAfterMs = err instanceof ManagedAgentsApiError ? err.retryAfterMs : undefined;
        await sleep(backoffDelayMs(this.policy, Math.max(1, failures), retryAfterMs), this.signal);
      }
    }
  }

  /** One connection: resumes after the last event handed on, ends when the session is done or the stream is. */
  private async *stream(progress: () => void): AsyncGenerator<SessionEvent> {
    const connection = new AbortController();
    const signal = AbortSignal.any([this.signal, connection.signal]);
    // A server that accepts the connection but never answers would hold the follower forever.
    const opening = setTimeout(
      () => connection.abort(new StreamCutError(`no stream answer within ${this.idleTimeoutMs} ms`)),
      this.idleTimeoutMs,
    );
    try {
      const response = await this.source
        .openStream(this.sessionId, this.ledger.lastEventId, signal)
        .finally(() => clearTimeout(opening));
      this.stats.connections++;
      this.ledger.startSource();
      for await (const message of readServerSentEvents(response, this.idleTimeoutMs, signal)) {
        const event = this.parse(message);
        if (!event || !this.admit(event)) continue;
        progress();
        yield event;
        if (this.done) return;
      }
    } finally {
      connection.abort();
    }
  }

  /** The full log is the record: hand on what is new in it; trust the metadata only for a final status. */
  private async *reconcile(): AsyncGenerator<SessionEvent> {
    this.stats.reconciliations++;
    yield* this.fromLog();
    if (this.done) return;
    const meta = await this.source.getSession(this.sessionId, { signal: this.signal });
    if (
      !isTerminalStatus(meta.status) &&
      !(this.options.until === 'settled' && isSettledStatus(meta.status))
    ) {
      return;
    }
    // The session finished between the two reads: its log is final now, so read it once more.
    yield* this.fromLog();
    if (!this.done) this.status = meta.status;
  }

  private async *fromLog(): AsyncGenerator<SessionEvent> {
    const log = await this.source.getSessionEvents(this.sessionId, { signal: this.signal });
    this.ledger.startSource();
    for (const event of log) {
      if (!this.admit(event, false)) continue;
      yield event;
      if (this.done) return;
    }
  }

  /** `counted`: drops are the server re-sending (stream), not the log holding what came before (log). */
  private admit(event: SessionEvent, counted = true): boolean {
    const verdict = this.ledger.admit(event.id);
    if (counted && verdict === 'duplicate') this.stats.duplicatesDropped++;
    if (counted && verdict === 'stale') this.stats.staleDropped++;
    if (verdict !== 'new') return false;
    const status = event.type === STATUS_EVENT_TYPE ? event.data['status'] : undefined;
    if (typeof status === 'string') this.status = status;
    return true;
  }

  /** The SSE `id` and the event's own `id` must agree; a message with neither is a keep-alive or an error. */
  private parse(message: EventSourceMessage): SessionEvent | undefined {
    const fail = (why: string) =>
      localError('MALFORMED_EVENT', `session ${this.sessionId}: ${why}`, { method: 'GET', path: 'stream' });
    if (message.data.trim() === '' || KEEP_ALIVE_EVENTS.has(message.event ?? '')) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(message.data);
    } catch {
      throw fail(`event ${message.id ?? '(no id)'} data is not JSON`);
    }
    const base = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    const parsed = sessionEventSchema.safeParse({
      ...base,
      id: base['id'] ?? message.id,
      type: base['type'] ?? message.event,
    });
    if (!parsed.success) throw fail(`event ${message.id ?? '(no id)'} is not a session event`);
    if (message.id !== undefined && message.id !== parsed.data.id) {
      throw fail(`SSE id ${message.id} differs from the event's id ${parsed.data.id}`);
    }
    return parsed.data;
  }
}
