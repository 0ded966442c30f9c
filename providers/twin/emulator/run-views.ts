// How runs look on the wire, per profile. The documented shapes are exactly seed 001's examples: a run list
// entry `{run_id, agent_id, status, started_at, finished_at?}` and the start answer's run. The rich shape adds
// seed 000's run-object fields and the emulator's own (user_message, which no document puts on a run). The
// control API always shows everything, because tests use it as ground truth.
import type { ProfileRules } from './profile.js';
import type { RunRecord } from './state.js';
import { listStatusWord } from './views.js';

const finishedAt = (run: RunRecord) => run.finished_at !== undefined && { finished_at: run.finished_at };

function documentedListEntry(run: RunRecord) {
  return {
    run_id: run.run_id,
    agent_id: run.agent_id,
    status: listStatusWord(run.status),
    started_at: run.started_at,
    ...finishedAt(run),
  };
}

function documentedStartAnswer(run: RunRecord) {
  return {
    run_id: run.run_id,
    agent_id: run.agent_id,
    status: listStatusWord(run.status),
    started_at: run.started_at,
    is_finished: run.finished_at !== undefined,
    is_paused: run.status === 'paused',
    run_number: run.run_number,
    policy_type: run.policy_type,
  };
}

function richRunView(run: RunRecord) {
  return {
    ...documentedStartAnswer(run),
    user_id: run.user_id,
    ...finishedAt(run),
    last_event_at: run.last_event_at,
    event_count: String(run.events.length),
    ...(run.summary !== undefined && { summary: run.summary }),
    ...(run.outcome !== undefined && { outcome: run.outcome }),
    ...(run.user_message !== undefined && { user_message: run.user_message }),
    ...(run.trigger === 'schedule' && { schedule_agent_id: run.agent_id }),
  };
}

export type RunListEntry = ReturnType<typeof documentedListEntry> & Partial<ReturnType<typeof richRunView>>;
export type RunStartAnswer = ReturnType<typeof documentedStartAnswer> &
  Partial<ReturnType<typeof richRunView>>;

export function runListEntry(run: RunRecord, profile: ProfileRules): RunListEntry {
  return profile.extras ? richRunView(run) : documentedListEntry(run);
}

export function runStartAnswer(run: RunRecord, profile: ProfileRules): RunStartAnswer {
  return profile.extras ? richRunView(run) : documentedStartAnswer(run);
}

/** Ground truth for tests: the rich view plus how the run was triggered, its output and why it ended. */
export function controlRunView(run: RunRecord) {
  return {
    ...richRunView(run),
    trigger: run.trigger,
    ...(run.output !== undefined && { output: run.output }),
    ...(run.reason !== undefined && { reason: run.reason }),
  };
}
