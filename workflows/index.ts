// Every workflow the worker registers; the bundle is built from this file.
export * from './run-tracker.js';
export { agentRunWorkflow } from './run-agent.js';
export { agentLaneWorkflow } from './agent-lane.js';
export { pipelineWorkflow } from './pipeline.js';
export { checkThenFixWorkflow } from '../examples/code-first.js';
