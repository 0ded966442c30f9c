// Twin uses different words for the same run state depending on the endpoint (`finished` in run lists,
// `in_progress` on start, `completed`/`error` in webhooks). Everything inside twinflow speaks the normalised
// words below; this is the only place that translates. Pure code: workflows import it too.

export const RUN_STATUSES = ['in_progress', 'paused', 'completed', 'failed', 'stopped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Twin's own outcome words (seed 001: `data.outcome` of run.completed). */
export const OUTCOMES = ['success', 'partial', 'fail'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * What twinflow records for a completed run: Twin's word, or `unknown` when no source told it (the run ended on a
 * poll, the documents promise no outcome on run objects, and neither the webhook nor the events said). `unknown`
 * is never read as success: see countsAsFailure in providers/twin/workflows/agent-retry.ts.
 */
export const RUN_OUTCOMES = [...OUTCOMES, 'unknown'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export const WEBHOOK_EVENTS = [
  'run.started',
  'run.completed',
  'run.failed',
  'run.stopped',
  'run.paused',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

const STATUS_WORDS: Record<string, RunStatus> = {
  in_progress: 'in_progress',
  running: 'in_progress',
  started: 'in_progress',
  paused: 'paused',
  completed: 'completed',
  finished: 'completed',
  error: 'failed',
  failed: 'failed',
  stopped: 'stopped',
  cancelled: 'stopped',
  canceled: 'stopped',
};

/** Returns undefined for a word Twin has never documented, so callers decide how loud to be about it. */
export function normaliseRunStatus(word: string): RunStatus | undefined {
  return STATUS_WORDS[word.toLowerCase()];
}

export function isOutcome(word: unknown): word is Outcome {
  return typeof word === 'string' && (OUTCOMES as readonly string[]).includes(word);
}

export function isTerminal(status: RunStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'stopped';
}

export function statusOfWebhookEvent(event: WebhookEventType): RunStatus {
  switch (event) {
    case 'run.started':
      return 'in_progress';
    case 'run.paused':
      return 'paused';
    case 'run.completed':
      return 'completed';
    case 'run.failed':
      return 'failed';
    case 'run.stopped':
      return 'stopped';
  }
}

/**
 * A run lifecycle fact, whether it came from a webhook or from polling Twin. This is what the receiver
 * signals to the run tracker workflow, so it carries no secrets and only normalised words.
 */
export interface RunObservation {
  runId: string;
  agentId: string;
  status: RunStatus;
  /** Set on completed runs once known; the tracker writes `unknown` when no source could tell. */
  outcome?: RunOutcome;
  /** Only where Twin serves it (seed 000 lists it on run objects; 001 does not): never relied on. */
  summary?: string;
  finishedAt?: string;
  /** ISO-8601: the webhook's signed `timestamp`, or the poll time. */
  observedAt: string;
  source: 'webhook' | 'poll' | 'start';
}

/** The fields of a run, as Twin's start call or run list shows it, that an observation is made of. */
export interface TwinRunRecord {
  run_id: string;
  agent_id: string;
  status: string;
  outcome?: unknown;
  summary?: unknown;
  finished_at?: unknown;
}

/**
 * One translation from Twin's run record to an observation, shared by polling and by starting a run. Undefined
 * for a status word no document lists: callers log it and treat the run as not yet terminal, because throwing
 * after a start would make the start look failed and be retried (a second run).
 */
export function observationOfRunRecord(
  run: TwinRunRecord,
  observedAt: string,
  source: RunObservation['source'],
): RunObservation | undefined {
  const status = normaliseRunStatus(run.status);
  if (!status) return undefined;
  return {
    runId: run.run_id,
    agentId: run.agent_id,
    status,
    outcome: isOutcome(run.outcome) ? run.outcome : undefined,
    summary: typeof run.summary === 'string' ? run.summary : undefined,
    finishedAt: typeof run.finished_at === 'string' ? run.finished_at : undefined,
    observedAt,
    source,
  };
}
