// Reading what a finished run produced: its events (paged with `after_index`, the only cursor seed 001 offers) and,
// where Twin serves one, the run record's summary and outcome (seed 000 fields, never required). The run's tracker
// calls this once as the run ends, so every subscriber gets the same output and Twin is asked once per run.
import type { TwinClient } from '../client/client.js';
import type { RunEvent } from '../vocabulary/schemas.js';
import { extractRunOutput, type RunOutput } from '../vocabulary/run-output.js';
import { isOutcome, type Outcome } from '../vocabulary/run-status.js';
import { callTwin } from './twin-failure.js';

const EVENT_PAGE_SIZE = 200;
/** A run with more events than this has its output read from the first ones only, and says so. */
export const MAX_EVENTS_READ = 10_000;

export interface ReadRunResultInput {
  agentId: string;
  runId: string;
  /** Event kinds that carry the agent's answer; default DEFAULT_OUTPUT_EVENT_KINDS. */
  outputFrom?: string[];
  /** False when the caller already holds the run record (a poll ended the run): it is not read again. */
  readRecord?: boolean;
}

export interface RunResultRead extends RunOutput {
  /** From the run record, only where Twin serves it. */
  summary?: string;
  /** The record's own outcome word, where served; preferred over an event's hint. */
  recordOutcome?: Outcome;
  eventsRead: number;
  /** More than MAX_EVENTS_READ events: the output may be missing or stale. */
  eventsTruncated: boolean;
}

/** Pages through a run's events in order, at most `max`; stops on a page that does not move forward. */
export async function readRunEvents(
  twin: TwinClient,
  agentId: string,
  runId: string,
  max: number,
): Promise<{ events: RunEvent[]; truncated: boolean }> {
  const events: RunEvent[] = [];
  let afterIndex: number | undefined;
  while (events.length <= max) {
    const limit = Math.min(EVENT_PAGE_SIZE, max + 1 - events.length);
    const page = await callTwin(() => twin.listRunEvents(agentId, runId, { limit, after_index: afterIndex }));
    const last = page.events.at(-1);
    if (!last || (afterIndex !== undefined && last.index <= afterIndex)) break;
    events.push(...page.events);
    afterIndex = last.index;
  }
  return { events: events.slice(0, max), truncated: events.length > max };
}

export function createRunOutputActivities(deps: { twin: TwinClient }) {
  return {
    /** Best effort by design: an empty event list (Twin answers one even for unknown runs) yields no output. */
    async readRunResult({ agentId, runId, outputFrom }: ReadRunResultInput): Promise<RunResultRead> {
      const [{ events, truncated }, record] = await Promise.all([
        readRunEvents(deps.twin, agentId, runId, MAX_EVENTS_READ),
        callTwin(() => deps.twin.listRuns(agentId, { filter_run_id: runId, page_size: 1 })).then(({ runs }) =>
          runs.find((run) => run.run_id === runId),
        ),
      ]);
      const output = extractRunOutput(events, outputFrom);
      const summary = typeof record?.summary === 'string' ? record.summary : undefined;
      return {
        ...output,
        ...(summary !== undefined && { summary }),
        ...(isOutcome(record?.outcome) && { recordOutcome: record.outcome }),
        eventsRead: events.length,
        eventsTruncated: truncated,
      };
    },
  };
}

export type RunOutputActivities = ReturnType<typeof createRunOutputActivities>;
