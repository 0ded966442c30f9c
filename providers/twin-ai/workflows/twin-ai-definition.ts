// The Twin.ai step kinds of a pipeline definition (docs/twin-ai-contract.md, docs/pipelines.md "Twin.ai steps").
// Pure types: the workflow bundle and Node share them.
import type { StepBase } from '../../../workflows/pipeline-definition.js';

/**
 * Asks the Twin.ai twin (docs/twin-ai-contract.md). `message` (at most 2,000 characters once rendered) and
 * `context` (4,000) may be templates. The answer is the step's `output`; `confidence`, `shouldEscalate`,
 * `escalateReason`, `sources` and, for an escalating answer found in Twin.ai's list, `escalationId` come with it.
 */
export interface TwinAiAskStep extends StepBase {
  kind: 'twinai.ask';
  message: string;
  context?: string;
  askedBy?: string;
}

/** Adds a document to the twin's knowledge base (`title`, `content` templates) or deletes one (`documentId`). */
export interface TwinAiKbStep extends StepBase {
  kind: 'twinai.kb';
  action: 'add' | 'delete';
  title?: string;
  content?: string;
  documentId?: string;
}

/**
 * Marks a Twin.ai escalation resolved. The seed's PATCH carries only the status, so `resolution` is not sent: it
 * is kept as the step's `output`, for later steps and the run's record.
 */
export interface TwinAiResolveEscalationStep extends StepBase {
  kind: 'twinai.resolveEscalation';
  escalationId: string;
  resolution?: string;
}

export type TwinAiStep = TwinAiAskStep | TwinAiKbStep | TwinAiResolveEscalationStep;
