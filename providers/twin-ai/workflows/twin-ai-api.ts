// The contract between a pipeline's Twin.ai steps (twin-ai-step.ts) and the Twin.ai activities
// (providers/twin-ai/activities/twin-ai.ts): the queue they run on, their inputs and results, the failure types a step tells apart
// and the seed's text limits. The activities run on a task queue of their own with Twin.ai's rate budget, so its
// per-minute limit never slows a Twin step. Pure types and constants: the workflow bundle and the worker both
// import it (the provider's own module brings zod, which the bundle does without).

/** Appended to the main task queue: where the Twin.ai activities run. */
export const TWIN_AI_TASK_QUEUE_SUFFIX = '-twin-ai';

/**
 * The seed's maxima for what a step renders (providers/twin-ai/requests.ts `TWIN_AI_LIMITS`, which a unit test
 * keeps equal): checked in the workflow, so an oversized rendering fails the step at once with its length.
 */
export const TWIN_AI_TEXT_LIMITS = { message: 2_000, context: 4_000, content: 50_000 } as const;

/** Failure types (ApplicationFailure.type) the step and the activities throw; none of them is retried. */
export const TWIN_AI_FAILURES = {
  /** No API key configured for Twin.ai. */
  notConfigured: 'TwinAiNotConfigured',
  /** A rendered text is empty or over the seed's limit: nothing was sent. */
  invalidText: 'TwinAiInvalidText',
  /** 402: the plan's monthly answers are used up; the message is Twin.ai's own. */
  answerLimit: 'TwinAiAnswerLimitReached',
  /** An ask whose answer was lost: Twin.ai may have answered (and counted it), so it is not asked again. */
  askUnconfirmed: 'TwinAiAskUnconfirmed',
  /** A document create or a resolve whose answer was lost and that Twin.ai's lists do not settle. */
  writeUnconfirmed: 'TwinAiWriteUnconfirmed',
  /** Twin.ai refused the request (4xx other than 429) or broke its contract: the message says why. */
  refused: 'TwinAiRefused',
} as const;

export interface AskTwinAiInput {
  message: string;
  context?: string;
  askedBy?: string;
  /** When the step asked (workflow time): an escalation opened before it cannot be this ask's. */
  requestedAt: string;
}

export interface TwinAiAnswer {
  response: string;
  confidence: number;
  shouldEscalate: boolean;
  escalateReason?: string;
  sources?: string[];
  /** The escalation an escalating answer opened, when exactly one open escalation in Twin.ai's list fits. */
  escalationId?: string;
}

export interface AddTwinAiDocInput {
  title: string;
  content: string;
  /** As in AskTwinAiInput: a document created before the step asked cannot be this step's. */
  requestedAt: string;
}

export interface AddedTwinAiDoc {
  /** Absent only when Twin.ai's answer had no document and its list holds no single one by this title (A4). */
  documentId?: string;
  /** True when a lost answer was settled by finding the document in Twin.ai's list. */
  adopted: boolean;
}

export interface DeleteTwinAiDocInput {
  documentId: string;
}

export interface DeletedTwinAiDoc {
  /** True when a retry met 404 after an earlier attempt that may have deleted it (A10). */
  alreadyGone: boolean;
}

export interface ResolveTwinAiEscalationInput {
  escalationId: string;
}

export interface ResolvedTwinAiEscalation {
  /** True when a lost answer was settled by finding the escalation resolved in Twin.ai's list. */
  confirmedByList: boolean;
}

export interface TwinAiActivities {
  askTwinAi(input: AskTwinAiInput): Promise<TwinAiAnswer>;
  addTwinAiDoc(input: AddTwinAiDocInput): Promise<AddedTwinAiDoc>;
  deleteTwinAiDoc(input: DeleteTwinAiDocInput): Promise<DeletedTwinAiDoc>;
  resolveTwinAiEscalation(input: ResolveTwinAiEscalationInput): Promise<ResolvedTwinAiEscalation>;
}
