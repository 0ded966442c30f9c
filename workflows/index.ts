// twinflow's own workflows, the bundle's core; a project's code-first workflows join them in the bundle
// (services/worker/workflow-bundle.ts), so no product file names a user's or an example's workflow.
export { runTrackerWorkflow } from '../providers/twin/workflows/run-tracker.js';
export { agentRunWorkflow } from '../providers/twin/workflows/agent-run.js';
export { agentLaneWorkflow } from '../providers/twin/workflows/agent-lane.js';
export { pipelineWorkflow } from './pipeline.js';
export { providerEventWorkflow } from './provider-event.js';
export { twigDataSourceWatchWorkflow } from '../providers/twig/workflows/data-source-watch.js';
