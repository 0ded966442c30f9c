// Reads Temporal histories for the cost and latency benchmarks: every run of a workflow ID (following
// continue-as-new back to the first run), the size of a history as the server stores and sends it (protobuf
// bytes), and event times and names in plain numbers and strings.
import type { Client } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
// The package is CommonJS: its namespace is reached through the default export at run time.
const { EventType, History } = {
  EventType: proto.temporal.api.enums.v1.EventType,
  History: proto.temporal.api.history.v1.History,
};
export { EventType };

export interface WorkflowHistories {
  workflowId: string;
  /** Oldest run first. */
  runs: History[];
  events: number;
  bytes: number;
  /** The largest single run, in events: what continue-as-new keeps bounded. */
  largestRunEvents: number;
}

export function historyBytes(history: History): number {
  return History.encode(history).finish().length;
}

/** Every run of `workflowId`, following continue-as-new from the latest run back to the first. */
export async function fetchHistories(client: Client, workflowId: string): Promise<WorkflowHistories> {
  const runs: History[] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift(history);
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    runId = started?.continuedExecutionRunId ?? undefined;
    if (!runId) break;
  }
  const counts = runs.map((h) => h.events?.length ?? 0);
  return {
    workflowId,
    runs,
    events: counts.reduce((a, b) => a + b, 0),
    bytes: runs.reduce((sum, h) => sum + historyBytes(h), 0),
    largestRunEvents: Math.max(...counts),
  };
}

/** When the event happened, in epoch milliseconds (the SDK's converter is internal). */
export function eventTimeMs(event: HistoryEvent): number {
  const time = event.eventTime;
  if (!time) throw new Error('history event without an event time');
  return Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1_000_000);
}

export function signalName(event: HistoryEvent): string | undefined {
  if (event.eventType !== EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) return undefined;
  return event.workflowExecutionSignaledEventAttributes?.signalName ?? undefined;
}

/** The signal a workflow sent to another workflow, named in its SignalExternalWorkflowExecutionInitiated event. */
export function sentSignal(event: HistoryEvent): string | undefined {
  if (event.eventType !== EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED) return undefined;
  return event.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName ?? undefined;
}

export function scheduledActivity(event: HistoryEvent): string | undefined {
  if (event.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) return undefined;
  return event.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined;
}

export function allEvents(histories: WorkflowHistories): HistoryEvent[] {
  return histories.runs.flatMap((h) => h.events ?? []);
}
