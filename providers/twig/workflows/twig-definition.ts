// The Twig step kinds of a pipeline definition (docs/twig-contract.md, docs/pipelines.md "Twig steps"). Declared
// here rather than in pipeline-definition.ts, which keeps the union they join, so that file stays readable. Pure
// types: the workflow bundle and Node share them.
import type { StepBase } from '../../../workflows/pipeline-definition.js';

/**
 * Asks a Twig agent (`POST /api/v1/query`). `agent` (a Twig agent_id), `query` and `session` may be templates.
 * The answer is the step's `output`; `sources` (document titles), `interactionId`, `sessionId` and `json` (the
 * whole answer in Twig's words: `json.sources`, `json.metadata.cost_usd`, …) come with it. `session` is sent as
 * Twig's `session_id`, so steps sharing one rendered session form one conversation (A22).
 */
export interface TwigQueryStep extends StepBase {
  kind: 'twig.query';
  agent: string;
  query: string;
  session?: string;
}

/**
 * Triggers a sync of a data source and waits until its status reads synced (`active`), with `progress_pct` in the
 * activity's heartbeat. `timeout` fails the step; the seed has no cancel, so the sync goes on at Twig.
 */
export interface TwigSyncStep extends StepBase {
  kind: 'twig.sync';
  dataSource: string;
}

/** Creates a knowledge-base article (`title`, `content`) or updates one (`articleId`, and what changes). */
export interface TwigKbStep extends StepBase {
  kind: 'twig.kb';
  action: 'create' | 'update';
  articleId?: string;
  title?: string;
  content?: string;
}

export type TwigStep = TwigQueryStep | TwigSyncStep | TwigKbStep;
