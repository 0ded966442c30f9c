// What a run leaves behind for whoever reads its events: the agent's final assistant message, in the kind and
// shape its script chose, and the texts used when a script or a control call leaves them out. Twin documents
// no event kind but `started`; integrators find the output by scanning back for a message/assistant_message/
// output entry with `text` or `content` (twin-api.md), so the emulator can produce each of those shapes.
import type { RunBehaviour, RunRecord } from './state.js';

export type EventPayload = Record<string, unknown>;

function messageBody(text: string, field: RunBehaviour['outputField']): EventPayload {
  switch (field) {
    case 'text':
      return { text };
    case 'content':
      return { content: text };
    case 'parts':
      return { content: [{ type: 'text', text }] };
  }
}

export function outputEvent(run: RunRecord, text: string): [kind: string, payload: EventPayload] {
  return [run.behaviour.outputEvent, { role: 'assistant', ...messageBody(text, run.behaviour.outputField) }];
}

const runName = (run: RunRecord) => `run ${run.run_id} (#${run.run_number} of agent ${run.agent_id})`;

/** Never empty and always names the run, so a test can tell whose output reached a later step. */
export function defaultOutput(run: RunRecord): string {
  return `Output of ${runName(run)}: done.`;
}

export function defaultSummary(run: RunRecord): string {
  return `Run ${run.run_number} of ${run.agent_id} completed`;
}

export function defaultFailureReason(run: RunRecord): string {
  return `${runName(run)} failed: emulated policy error`;
}
