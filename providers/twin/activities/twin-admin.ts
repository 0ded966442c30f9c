// Agent settings a pipeline may change as a step: schedules and instructions. Thin on purpose: each call goes
// through the same Twin error mapping as the run activities (twin-failure.ts), and the client with its API key
// is injected at worker start.
import type { TwinClient } from '../client/client.js';
import { callTwin } from './twin-failure.js';

export interface AgentRef {
  agentId: string;
}

export function createTwinAdminActivities(deps: { twin: TwinClient }) {
  const { twin } = deps;
  return {
    /** `cron` is Twin's 7-field form: sec min hour day month day-of-week year. */
    async setAgentSchedule({ agentId, cron }: AgentRef & { cron: string }): Promise<void> {
      await callTwin(() => twin.setSchedule(agentId, cron));
    },
    async pauseAgentSchedule({ agentId }: AgentRef): Promise<void> {
      await callTwin(() => twin.pauseSchedule(agentId));
    },
    async resumeAgentSchedule({ agentId }: AgentRef): Promise<void> {
      await callTwin(() => twin.resumeSchedule(agentId));
    },
    async deleteAgentSchedule({ agentId }: AgentRef): Promise<void> {
      await callTwin(() => twin.deleteSchedule(agentId));
    },
    async updateAgentInstructions({ agentId, content }: AgentRef & { content: string }): Promise<void> {
      await callTwin(() => twin.setInstructions(agentId, { content }));
    },
  };
}

export type TwinAdminActivities = ReturnType<typeof createTwinAdminActivities>;
