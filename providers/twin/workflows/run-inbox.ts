// What the lane and the run trackers tell a workflow that runs agents, kept by token. The handlers are installed
// once per workflow, on the first runAgent call, before any request is sent, so an answer that arrives before its
// wait begins is kept, not lost. Module state in workflow code is per workflow execution: the SDK isolates it.
import { condition, setHandler } from '@temporalio/workflow';
import type { RunObservation } from '../vocabulary/run-status.js';
import type { RunOutput } from '../vocabulary/run-output.js';
import { permitGrantedSignal } from './agent-lane-api.js';
import { runOutputSignal, runSettledSignal } from './run-tracker-api.js';

export interface RunInbox {
  settled: Map<string, RunObservation>;
  outputs: Map<string, RunOutput>;
  /** Tokens settled with `outputFollows` whose `runOutput` has not come yet. */
  outputPending: Set<string>;
  /** Tokens whose permit the run's tracker released as it reported the end. */
  releasedByTracker: Set<string>;
  granted: Set<string>;
}

let inbox: RunInbox | undefined;

export function runInbox(): RunInbox {
  if (inbox) return inbox;
  const created: RunInbox = {
    settled: new Map(),
    outputs: new Map(),
    outputPending: new Set(),
    releasedByTracker: new Set(),
    granted: new Set(),
  };
  setHandler(runSettledSignal, ({ token, observation, permitReleased, output, outputFollows }) => {
    created.settled.set(token, observation);
    if (output) created.outputs.set(token, output);
    if (outputFollows) created.outputPending.add(token);
    if (permitReleased) created.releasedByTracker.add(token);
  });
  setHandler(runOutputSignal, ({ token, output, summary }) => {
    if (!created.outputPending.delete(token)) return;
    if (output) created.outputs.set(token, output);
    const observation = created.settled.get(token);
    if (observation && summary !== undefined) created.settled.set(token, { ...observation, summary });
  });
  setHandler(permitGrantedSignal, ({ token }) => {
    created.granted.add(token);
  });
  inbox = created;
  return created;
}

/** The run's end as its tracker reported it. */
export async function settledObservation(box: RunInbox, token: string): Promise<RunObservation> {
  await condition(() => box.settled.has(token));
  return endOf(box, token);
}

/** Waits for an output the tracker said follows; the observation then carries the summary too, if any. */
export async function awaitOutput(
  box: RunInbox,
  token: string,
): Promise<{ observation: RunObservation; output?: RunOutput }> {
  await condition(() => !box.outputPending.has(token));
  return { observation: endOf(box, token), output: box.outputs.get(token) };
}

function endOf(box: RunInbox, token: string): RunObservation {
  const observation = box.settled.get(token);
  if (!observation) throw new Error(`settle for ${token} vanished`);
  return observation;
}
