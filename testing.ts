/**
 * twinflow's testing kit, `twinflow/testing`: test a project's own pipelines in its own CI, the way
 * `@temporalio/testing` tests Temporal workflows. {@link createTestEnvironment} starts, for one test suite, the
 * Twin emulator (playing the documented Twin), a private Temporal (a dev server, or the time-skipping test
 * server), twinflow's real workers with the project's pipelines and twinflow's real webhook receiver. A test
 * scripts agents, runs a pipeline and asserts on its final state:
 *
 * ```ts
 * const env = await createTestEnvironment();
 * const writer = await env.agent([{ output: 'A summary.' }]);
 * const state = await env.runPipeline('summarise', { writer });
 * expect(state.status).toBe('succeeded');
 * await env.close();
 * ```
 *
 * Node only (it starts servers and child processes): never import it from workflow code. See docs/testing.md.
 *
 * @packageDocumentation
 */
export { createTestEnvironment } from './services/testing/environment.js';
export type {
  AgentBehaviour,
  StartOptions,
  TestAgentOptions,
  TestEnvironment,
  TestEnvironmentOptions,
  TwinRunRecord,
} from './services/testing/environment.js';
export { APPROVAL_WAIT_MS } from './services/testing/pipeline-handle.js';
export type { TestPipelineHandle } from './services/testing/pipeline-handle.js';
export { TemporalBinaryMissingError } from './services/testing/temporal-binaries.js';
export type { PipelineState } from './workflows/pipeline-api.js';
export type { StepState } from './workflows/pipeline-definition.js';
