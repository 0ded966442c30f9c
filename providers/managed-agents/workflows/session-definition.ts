// The managed-agent step kind of a pipeline definition (docs/managed-agents-contract.md). Pure types: the workflow
// bundle and Node share them.
import type { StepBase } from '../../../workflows/pipeline-definition.js';

/**
 * A managed-agent session (docs/providers.md): `agent` creates and starts one (pinned to `agentVersion` when
 * given); `continues` instead sends another user turn into the session of an earlier session step, one of this
 * step's ancestors. Either way the step follows the session's event stream until the turn settles (the session
 * goes idle or ends). `timeout` cancels the session and confirms it. Strings may be templates.
 */
export interface SessionStep extends StepBase {
  kind: 'session';
  agent?: string;
  agentVersion?: number;
  continues?: string;
  message: string;
}
