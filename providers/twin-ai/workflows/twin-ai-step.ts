// The Twin.ai steps in the pipeline interpreter: ask the twin, add or delete a knowledge-base document, resolve an
// escalation. Each is one activity on the Twin.ai task queue. Texts are rendered and checked against the seed's
// limits here, before any activity is scheduled, so an oversized message fails the step with its length instead
// of costing a request. An ask's answer fields become the step's state, readable by templates and conditions.
import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import {
  TWIN_AI_FAILURES,
  TWIN_AI_TASK_QUEUE_SUFFIX,
  TWIN_AI_TEXT_LIMITS,
  type TwinAiActivities,
} from './twin-ai-api.js';
import type {
  StepResult,
  TwinAiAskStep,
  TwinAiKbStep,
  TwinAiResolveEscalationStep,
  TwinAiStep,
} from '../../../workflows/pipeline-definition.js';

type Render = (template: string) => string;

/**
 * Long enough for the client's own waits: 30 s per attempt and up to four attempts, 429s waited out in between.
 * An attempt that outlives it is never sent again blindly: the next one finds the "sending" mark it left.
 */
const CALL_TIMEOUT = '5 minutes';
const ATTEMPTS = 5;

function activities(step: TwinAiStep, summary: string): TwinAiActivities {
  return proxyActivities<TwinAiActivities>({
    taskQueue: `${workflowInfo().taskQueue}${TWIN_AI_TASK_QUEUE_SUFFIX}`,
    startToCloseTimeout: CALL_TIMEOUT,
    scheduleToCloseTimeout: step.timeout,
    retry: { maximumAttempts: ATTEMPTS, nonRetryableErrorTypes: Object.values(TWIN_AI_FAILURES) },
    summary: `${step.id}: ${summary}`,
  });
}

/** A rendered text Twin.ai requires (not blank) and whose length the seed bounds, if it does. */
function requiredText(render: Render, field: string, template: string | undefined): string {
  const text = optionalText(render, field, template);
  if (text === undefined)
    throw ApplicationFailure.nonRetryable(`${field} rendered to empty text`, TWIN_AI_FAILURES.invalidText);
  return text;
}

/** An optional rendered text: blank means absent (Twin.ai's default applies). */
function optionalText(render: Render, field: string, template: string | undefined): string | undefined {
  if (template === undefined) return undefined;
  const text = render(template);
  if (text.trim() === '') return undefined;
  const limit = (TWIN_AI_TEXT_LIMITS as Record<string, number>)[field];
  if (limit !== undefined && text.length > limit) {
    throw ApplicationFailure.nonRetryable(
      `${field} is ${text.length} characters once rendered; Twin.ai takes at most ${limit}`,
      TWIN_AI_FAILURES.invalidText,
    );
  }
  return text;
}

export async function runTwinAiStep(step: TwinAiStep, render: Render): Promise<StepResult> {
  switch (step.kind) {
    case 'twinai.ask':
      return ask(step, render);
    case 'twinai.kb':
      return step.action === 'add' ? addDoc(step, render) : deleteDoc(step, render);
    case 'twinai.resolveEscalation':
      return resolveEscalation(step, render);
  }
}

async function ask(step: TwinAiAskStep, render: Render): Promise<StepResult> {
  const message = requiredText(render, 'message', step.message);
  const context = optionalText(render, 'context', step.context);
  const askedBy = optionalText(render, 'askedBy', step.askedBy);
  const answer = await activities(step, 'ask Twin.ai').askTwinAi({
    message,
    context,
    askedBy,
    requestedAt: new Date().toISOString(),
  });
  const escalated = answer.shouldEscalate ? `escalated: ${answer.escalateReason ?? 'no reason given'}` : '';
  return {
    status: 'succeeded',
    output: answer.response,
    confidence: answer.confidence,
    shouldEscalate: answer.shouldEscalate,
    escalateReason: answer.escalateReason,
    sources: answer.sources,
    escalationId: answer.escalationId,
    summary: `answered with confidence ${answer.confidence}${escalated ? `; ${escalated}` : ''}`,
  };
}

async function addDoc(step: TwinAiKbStep, render: Render): Promise<StepResult> {
  const title = requiredText(render, 'title', step.title);
  const content = requiredText(render, 'content', step.content);
  const added = await activities(step, `add document "${title}"`).addTwinAiDoc({
    title,
    content,
    requestedAt: new Date().toISOString(),
  });
  const id = added.documentId ?? 'ID not reported';
  return {
    status: 'succeeded',
    documentId: added.documentId,
    output: added.documentId,
    summary: `document "${title}" added (${id})${added.adopted ? ', found after a lost answer' : ''}`,
  };
}

async function deleteDoc(step: TwinAiKbStep, render: Render): Promise<StepResult> {
  const documentId = requiredText(render, 'documentId', step.documentId).trim();
  const { alreadyGone } = await activities(step, `delete document ${documentId}`).deleteTwinAiDoc({
    documentId,
  });
  const how = alreadyGone ? ' (already gone after an earlier attempt)' : '';
  return { status: 'succeeded', documentId, summary: `document ${documentId} deleted${how}` };
}

async function resolveEscalation(step: TwinAiResolveEscalationStep, render: Render): Promise<StepResult> {
  const escalationId = requiredText(render, 'escalationId', step.escalationId).trim();
  const resolution = optionalText(render, 'resolution', step.resolution);
  const { confirmedByList } = await activities(
    step,
    `resolve escalation ${escalationId}`,
  ).resolveTwinAiEscalation({ escalationId });
  const how = confirmedByList ? ' (confirmed from the resolved list after a lost answer)' : '';
  return {
    status: 'succeeded',
    escalationId,
    output: resolution,
    summary: `escalation ${escalationId} resolved${how}`,
  };
}
