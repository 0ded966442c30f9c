// The example pipelines, as the worker and the control API register them. Agent IDs come from
// TWINFLOW_AGENT_<ROLE> when set, else from each run's input (`agents.<role>`).
import type { PipelineRegistration } from '../services/pipelines/registry.js';
import { checkAndFix } from './check-and-fix.js';
import { nightlyDigest } from './nightly-digest.js';
import { scheduleRollout } from './schedule-rollout.js';

export { CODE_FIRST_PIPELINE } from './code-first.js';

export function examplePipelines(env: NodeJS.ProcessEnv = process.env): PipelineRegistration[] {
  return [nightlyDigest(env), checkAndFix(env), scheduleRollout(env)];
}
