// Agent IDs of the examples come from the environment when set (a fixed deployment) and otherwise from the
// pipeline input (`input.agents.<role>`), so the demo can map each role to an emulator agent per run. The
// input schema then requires exactly the roles the environment does not supply.
import { z } from 'zod';
import { agentEnvVar } from '../index.js';

export interface AgentRoles<R extends string> {
  /** Per role: the literal agent ID from the environment, or a template reading the pipeline input. */
  refs: Record<R, string>;
  /** `{ agents: { <role>: string } }` for the roles the environment leaves open. */
  inputShape: { agents?: z.ZodType };
}

export function agentRoles<R extends string>(roles: readonly R[], env: NodeJS.ProcessEnv): AgentRoles<R> {
  const refs = {} as Record<R, string>;
  const open: Record<string, z.ZodString> = {};
  for (const role of roles) {
    const fixed = env[agentEnvVar(role)]?.trim();
    refs[role] = fixed || `{{input.agents.${role}}}`;
    if (!fixed) open[role] = z.string().min(1);
  }
  return { refs, inputShape: Object.keys(open).length > 0 ? { agents: z.object(open) } : {} };
}
