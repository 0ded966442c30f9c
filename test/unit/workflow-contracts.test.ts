// Each workflow's contract names the workflow type clients start by name; the bundle entry must export a body of
// that name with the contract's signature, or a start by name would find no workflow.
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as bundle from '../../workflows/index.js';
import {
  AGENT_LANE_WORKFLOW_TYPE,
  type AgentLaneWorkflow,
} from '../../providers/twin/workflows/agent-lane-api.js';
import {
  AGENT_RUN_WORKFLOW_TYPE,
  type AgentRunWorkflow,
} from '../../providers/twin/workflows/agent-run-api.js';
import { PIPELINE_WORKFLOW_TYPE, type PipelineWorkflow } from '../../workflows/pipeline-api.js';
import {
  PROVIDER_EVENT_WORKFLOW_TYPE,
  type ProviderEventWorkflow,
} from '../../workflows/provider-event-api.js';
import {
  RUN_TRACKER_WORKFLOW_TYPE,
  type RunTrackerWorkflow,
} from '../../providers/twin/workflows/run-tracker-api.js';

describe('workflow contracts', () => {
  it('name workflow types the bundle entry exports', () => {
    for (const type of [
      AGENT_LANE_WORKFLOW_TYPE,
      AGENT_RUN_WORKFLOW_TYPE,
      PIPELINE_WORKFLOW_TYPE,
      PROVIDER_EVENT_WORKFLOW_TYPE,
      RUN_TRACKER_WORKFLOW_TYPE,
    ]) {
      expect(typeof (bundle as Record<string, unknown>)[type], type).toBe('function');
    }
  });

  it('describe the bodies’ signatures', () => {
    expectTypeOf(bundle.agentLaneWorkflow).toEqualTypeOf<AgentLaneWorkflow>();
    expectTypeOf(bundle.agentRunWorkflow).toEqualTypeOf<AgentRunWorkflow>();
    expectTypeOf(bundle.pipelineWorkflow).toEqualTypeOf<PipelineWorkflow>();
    expectTypeOf(bundle.providerEventWorkflow).toEqualTypeOf<ProviderEventWorkflow>();
    expectTypeOf(bundle.runTrackerWorkflow).toEqualTypeOf<RunTrackerWorkflow>();
  });
});
