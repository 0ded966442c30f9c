// Sessions come alive here: each turn plays its agent's scripted events on real timers, every event lands in
// the session's log first and is then announced to the open streams, so the log and the streams can never
// disagree. Status changes are events too (`session.status`), which is how a stream tells a follower that the
// session is done (A5). One engine per emulator instance; stopAll() leaves no timer behind.
import type { InputMessage, SessionEvent } from '../schemas.js';
import { isTerminalStatus, MESSAGE_EVENT_TYPE, STATUS_EVENT_TYPE } from '../vocabulary.js';
import { conflict } from './platform-errors.js';
import {
  checked,
  streamFaultsSchema,
  turnScriptSchema,
  type StreamFaults,
  type TurnScript,
} from './scripts.js';
import type { AgentRecord, SessionRecord, Store } from './store.js';

/** What a stream hears about its session: an event, or that the session is gone (deleted). */
export type SessionSignal = { event: SessionEvent } | { closed: true };
type Listener = (signal: SessionSignal) => void;

const DEFAULT_TURN: TurnScript = checked(turnScriptSchema, {}, 'turn script');

export class SessionEngine {
  private readonly scripts = new Map<string, TurnScript[]>();
  private readonly faults = new Map<string, StreamFaults>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(private readonly store: Store) {}

  /** The turns sessions of `agentId` play, in order; the last one repeats. */
  script(agentId: string, turns: unknown[]): void {
    if (turns.length === 0) throw new TypeError('invalid turn script: at least one turn is needed');
    this.scripts.set(
      agentId,
      turns.map((turn, i) => checked(turnScriptSchema, turn, `turn script[${i}]`)),
    );
  }

  /** Replaces the stream faults of `agentId`'s sessions. */
  setFaults(agentId: string, input: unknown): void {
    this.faults.set(agentId, checked(streamFaultsSchema, input, 'stream faults'));
  }

  /** The live fault counters of a session's agent (the stream route spends them). */
  faultsOf(session: SessionRecord): StreamFaults | undefined {
    return this.faults.get(session.agent_id);
  }

  subscribe(session: SessionRecord, listener: Listener): () => void {
    const set = this.listeners.get(session.id) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(session.id, set);
    return () => set.delete(listener);
  }

  /** Starts a new session's first turn. */
  start(agent: AgentRecord, version: number, input: InputMessage[]): SessionRecord {
    const session = this.store.createSession(agent, version);
    this.beginTurn(session, input);
    return session;
  }

  /** A follow-up user turn; only an idle session takes one. */
  sendTurn(session: SessionRecord, input: InputMessage[]): void {
    if (session.status !== 'idle') {
      throw conflict(
        'session_not_idle',
        `session ${session.id} is ${session.status}; only an idle session takes a turn`,
      );
    }
    this.beginTurn(session, input);
  }

  /** Cancels a running or idle session; cancelling a cancelled one changes nothing. */
  cancel(session: SessionRecord): void {
    if (session.status === 'cancelled') return;
    if (isTerminalStatus(session.status)) {
      throw conflict('session_finished', `session ${session.id} already ${session.status}`);
    }
    this.stopTimer(session);
    this.setStatus(session, 'cancelled');
  }

  /** Soft delete: an unfinished session is cancelled first; open streams are closed. */
  delete(session: SessionRecord): void {
    if (!isTerminalStatus(session.status)) this.cancel(session);
    session.deleted = true;
    for (const listener of this.listeners.get(session.id) ?? []) listener({ closed: true });
    this.listeners.delete(session.id);
  }

  stopAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const set of this.listeners.values()) for (const listener of set) listener({ closed: true });
    this.listeners.clear();
  }

  reset(): void {
    this.stopAll();
    this.scripts.clear();
    this.faults.clear();
  }

  private beginTurn(session: SessionRecord, input: InputMessage[]): void {
    const turns = this.scripts.get(session.agent_id) ?? [DEFAULT_TURN];
    const turn = turns[Math.min(session.turns, turns.length - 1)] ?? DEFAULT_TURN;
    session.turns++;
    this.setStatus(session, 'running');
    for (const message of input) this.emit(session, MESSAGE_EVENT_TYPE, { ...message });
    const steps: (() => void)[] = turn.events.map(
      (event) => () => this.emit(session, event.type, { ...event.data }),
    );
    if (turn.end !== 'failed') {
      steps.push(() => this.emit(session, MESSAGE_EVENT_TYPE, { role: 'assistant', content: turn.output }));
    } else {
      steps.push(() => this.emit(session, 'error', { message: turn.reason }));
    }
    if (turn.end !== 'running') steps.push(() => this.setStatus(session, turn.end));
    this.play(session, steps, turn.intervalMs);
  }

  private play(session: SessionRecord, steps: (() => void)[], intervalMs: number): void {
    const [step, ...rest] = steps;
    if (!step) return;
    const timer = setTimeout(() => {
      this.timers.delete(session.id);
      step();
      this.play(session, rest, intervalMs);
    }, intervalMs);
    this.timers.set(session.id, timer);
  }

  private stopTimer(session: SessionRecord): void {
    clearTimeout(this.timers.get(session.id));
    this.timers.delete(session.id);
  }

  private setStatus(session: SessionRecord, status: string): void {
    session.status = status;
    this.emit(session, STATUS_EVENT_TYPE, { status });
  }

  private emit(session: SessionRecord, type: string, data: Record<string, unknown>): void {
    const event = this.store.append(session, type, data);
    for (const listener of this.listeners.get(session.id) ?? []) listener({ event });
  }
}
