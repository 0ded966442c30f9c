// The local stack's managed-agent demo agents, derived like the Twin ones (demo-agents.ts): every role a
// pipeline's session step leaves to its input (`{{input.agents.<role>}}`, projectRoles(registry, 'session'))
// becomes an emulator agent `demo-<role>`. Its scripted turns pace events slowly enough to watch in `twinflow run --wait`, and the first
// turn goes idle so a later step can continue the conversation.
import type { TurnScriptInput } from '../../providers/managed-agents/emulator/server.js';

export interface DemoSessionAgent {
  role: string;
  agentId: string;
  turns: TurnScriptInput[];
}

const searching = (query: string) => ({ type: 'tool_call', data: { name: 'web_search', content: query } });

const DEMO_TURNS: Record<string, TurnScriptInput[]> = {
  researcher: [
    {
      events: [
        searching('durable execution for AI agents'),
        { type: 'tool_result', data: { content: '14 sources found' } },
        searching('SSE reconnect Last-Event-ID'),
        { type: 'tool_result', data: { content: '6 sources found' } },
      ],
      output:
        'I read 20 sources. Main themes: retries hide duplicates, streams break, and state must be durable.',
      end: 'idle',
      intervalMs: 600,
    },
    {
      output: JSON.stringify({
        findings: [
          'Retries without idempotency start agent work twice',
          'Long-lived streams break; resuming needs the last event ID',
          'Durable state turns a crash into a pause',
        ],
      }),
      end: 'completed',
      intervalMs: 600,
    },
  ],
};

const DEFAULT_TURNS: TurnScriptInput[] = [{ output: 'Done.', end: 'idle', intervalMs: 500 }];

export function demoSessionAgents(roles: readonly string[]): DemoSessionAgent[] {
  return roles.map((role) => ({ role, agentId: `demo-${role}`, turns: DEMO_TURNS[role] ?? DEFAULT_TURNS }));
}
