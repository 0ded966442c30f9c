// Moves runs through their lifecycle on real timers: in_progress → (paused ⇄ in_progress) → completed | failed,
// or stopped on cancel. What a run does comes from its agent's script, fixed when the run starts. Progress is
// stored as absolute times, so after a restart the same schedule is re-armed and in-flight runs still finish.
import type { Logger } from 'pino';
import { isTerminal, type Outcome, type WebhookEventType } from '../vocabulary/run-status.js';
import { uuidv7 } from './ids.js';
import { failedPrecondition } from './problem.js';
import type { ProfileRules } from './profile.js';
import {
  defaultFailureReason,
  defaultOutput,
  defaultSummary,
  outputEvent,
  type EventPayload,
} from './run-output.js';
import { DEFAULT_BEHAVIOUR, type AgentRecord, type RunBehaviour, type RunRecord } from './state.js';
import { nowIso, type Store } from './store.js';

export interface StartRunInput {
  run_mode: 'build' | 'run';
  user_message?: string;
  trigger: 'api' | 'schedule';
}

/** How a run completes; what is left out comes from the run's script, then from the defaults. */
export interface Completion {
  outcome: Outcome;
  summary?: string;
  output?: string;
}

export interface Failure {
  reason?: string;
  summary?: string;
}

type StepKind = 'pause' | 'resume' | 'finish';

const POLICY_TYPE = { build: 'builder_v3', run: 'runner_v2' } as const;

type TerminalStatus = 'completed' | 'failed' | 'stopped';
const TERMINAL_EVENT: Record<TerminalStatus, WebhookEventType> = {
  completed: 'run.completed',
  failed: 'run.failed',
  stopped: 'run.stopped',
};

function takeBehaviour(agent: AgentRecord): RunBehaviour {
  if (agent.script.length === 0) return DEFAULT_BEHAVIOUR;
  const behaviour = agent.script[Math.min(agent.script_cursor, agent.script.length - 1)] ?? DEFAULT_BEHAVIOUR;
  agent.script_cursor += 1;
  return behaviour;
}

function hasScriptedPause(b: RunBehaviour): b is RunBehaviour & { pauseAfterMs: number } {
  return b.pauseAfterMs !== undefined && (b.result === 'never' || b.pauseAfterMs < b.durationMs);
}

/** The next timed move of a run, derived only from its stored state. */
function nextStep(run: RunRecord): { kind: StepKind; at: number } | undefined {
  const { behaviour: b, progress: p } = run;
  if (run.status === 'paused')
    return p.resume_at === undefined ? undefined : { kind: 'resume', at: p.resume_at };
  if (run.status !== 'in_progress' || p.active_since === undefined) return undefined;
  if (!p.scripted_pause_done && hasScriptedPause(b)) {
    return { kind: 'pause', at: p.active_since + Math.max(0, b.pauseAfterMs - p.work_done_ms) };
  }
  if (b.result === 'never') return undefined;
  return { kind: 'finish', at: p.active_since + Math.max(0, b.durationMs - p.work_done_ms) };
}

export class RunEngine {
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: Store,
    private readonly notify: (run: RunRecord, event: WebhookEventType) => void,
    private readonly profile: ProfileRules,
    private readonly logger: Logger,
  ) {}

  start(agent: AgentRecord, input: StartRunInput): RunRecord {
    agent.run_counter += 1;
    const now = Date.now();
    const run: RunRecord = {
      run_id: uuidv7(now),
      agent_id: agent.agent_id,
      user_id: agent.user_id,
      status: 'in_progress',
      run_mode: input.run_mode,
      policy_type: POLICY_TYPE[input.run_mode],
      trigger: input.trigger,
      started_at: new Date(now).toISOString(),
      last_event_at: new Date(now).toISOString(),
      run_number: agent.run_counter,
      ...(input.user_message !== undefined && { user_message: input.user_message }),
      behaviour: takeBehaviour(agent),
      progress: { work_done_ms: 0, active_since: now, scripted_pause_done: false },
      events: [],
    };
    this.store.runs.set(run.run_id, run);
    this.appendEvent(run, 'started', {});
    this.appendEvent(run, 'tool_call', { name: 'emulated_step', arguments: { run_mode: run.run_mode } });
    this.store.changed();
    this.arm(run);
    this.notify(run, 'run.started');
    this.logger.debug({ runId: run.run_id, agentId: agent.agent_id, trigger: input.trigger }, 'run started');
    return run;
  }

  /** Idempotent, as Twin's cancel: a finished run answers with an informational message instead of failing. */
  cancel(run: RunRecord, reason: string | undefined): string {
    if (isTerminal(run.status)) return `run ${run.run_id} already finished (${run.status})`;
    if (reason !== undefined) run.reason = reason;
    this.finish(run, 'stopped', 'stopped', { reason: reason ?? '' });
    return '';
  }

  /** In the documented profile `finished` says nothing more: the outcome reaches twinflow by webhook only. */
  complete(run: RunRecord, completion: Completion): void {
    this.requireActive(run);
    run.outcome = completion.outcome;
    run.summary = completion.summary ?? run.behaviour.summary ?? defaultSummary(run);
    run.output = completion.output ?? run.behaviour.output ?? defaultOutput(run);
    this.appendEvent(run, ...outputEvent(run, run.output));
    const finished = this.profile.extras ? { outcome: run.outcome, summary: run.summary } : {};
    this.finish(run, 'completed', 'finished', finished);
  }

  fail(run: RunRecord, failure: Failure): void {
    this.requireActive(run);
    run.reason = failure.reason ?? run.behaviour.reason ?? defaultFailureReason(run);
    run.summary = failure.summary ?? run.behaviour.summary ?? run.reason;
    this.finish(run, 'failed', 'error', { message: run.reason });
  }

  pause(run: RunRecord, scripted = false): void {
    if (run.status !== 'in_progress')
      throw failedPrecondition(`run ${run.run_id} is ${run.status}, not in_progress`);
    const now = Date.now();
    const p = run.progress;
    p.work_done_ms += now - (p.active_since ?? now);
    delete p.active_since;
    if (scripted) {
      p.scripted_pause_done = true;
      if (run.behaviour.pauseForMs !== undefined) p.resume_at = now + run.behaviour.pauseForMs;
    }
    run.status = 'paused';
    this.appendEvent(run, 'paused', {});
    this.commit(run, 'run.paused');
  }

  resume(run: RunRecord): void {
    if (run.status !== 'paused') throw failedPrecondition(`run ${run.run_id} is ${run.status}, not paused`);
    delete run.progress.resume_at;
    run.progress.active_since = Date.now();
    run.status = 'in_progress';
    this.appendEvent(run, 'resumed', {});
    this.commit(run, undefined);
  }

  delete(run: RunRecord): void {
    this.disarm(run.run_id);
    this.store.runs.delete(run.run_id);
    this.store.changed();
  }

  /** After loading a state file: every unfinished run continues where its stored schedule says. */
  resumeAll(): void {
    for (const run of this.store.runs.values()) this.arm(run);
  }

  stopAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private requireActive(run: RunRecord): void {
    if (isTerminal(run.status))
      throw failedPrecondition(`run ${run.run_id} already finished (${run.status})`);
  }

  private finish(run: RunRecord, status: TerminalStatus, kind: string, payload: EventPayload): void {
    run.status = status;
    run.finished_at = nowIso();
    delete run.progress.active_since;
    delete run.progress.resume_at;
    this.appendEvent(run, kind, payload);
    this.commit(run, TERMINAL_EVENT[status]);
  }

  private commit(run: RunRecord, event: WebhookEventType | undefined): void {
    this.store.changed();
    this.arm(run);
    if (event) this.notify(run, event);
  }

  private appendEvent(run: RunRecord, kind: string, payload: EventPayload): void {
    run.events.push({ index: run.events.length + 1, event: { [kind]: payload } });
    run.last_event_at = nowIso();
  }

  private arm(run: RunRecord): void {
    this.disarm(run.run_id);
    const step = nextStep(run);
    if (!step) return;
    const timer = setTimeout(() => this.fire(run.run_id, step.kind), Math.max(0, step.at - Date.now()));
    this.timers.set(run.run_id, timer);
  }

  private disarm(runId: string): void {
    clearTimeout(this.timers.get(runId));
    this.timers.delete(runId);
  }

  private fire(runId: string, kind: StepKind): void {
    this.timers.delete(runId);
    const run = this.store.runs.get(runId);
    if (!run) return;
    if (kind === 'pause') return this.pause(run, true);
    if (kind === 'resume') return this.resume(run);
    if (run.behaviour.result === 'failed') return this.fail(run, {});
    this.complete(run, { outcome: run.behaviour.outcome });
  }
}
