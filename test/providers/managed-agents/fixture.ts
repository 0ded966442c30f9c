// One emulator per suite on 127.0.0.1 port 0, a client with short retry delays so fault tests stay fast, and
// the helpers every spec reads the same way (collect a follower, compare IDs with the emulator's truth).
import { afterAll, beforeAll } from 'vitest';
import {
  startManagedAgentsEmulator,
  type ManagedAgentsEmulator,
  type TurnScriptInput,
} from '../../../providers/managed-agents/emulator/server.js';
import {
  ManagedAgentsClient,
  type FollowOptions,
  type ManagedAgentsClientOptions,
  type SessionEvent,
  type SessionFollower,
} from '../../../providers/managed-agents/index.js';

export interface Suite {
  emulator: ManagedAgentsEmulator;
  client: ManagedAgentsClient;
  /** A client of this emulator with other options (a wrong key, fewer retries, …). */
  clientWith(options: Partial<ManagedAgentsClientOptions>): ManagedAgentsClient;
}

export const FAST_RETRY = { initialDelayMs: 5, maxDelayMs: 20 };

/** Starts the emulator before the suite's tests and closes it after them. */
export function useManagedAgents(): Suite {
  const suite = {} as Suite;
  beforeAll(async () => {
    suite.emulator = await startManagedAgentsEmulator({ port: 0 });
    suite.clientWith = (options) =>
      new ManagedAgentsClient({
        baseUrl: suite.emulator.url,
        apiKey: suite.emulator.apiKey,
        retry: FAST_RETRY,
        ...options,
      });
    suite.client = suite.clientWith({});
  });
  afterAll(async () => {
    await suite.emulator.close();
  });
  return suite;
}

export const userInput = (content: string) => [{ role: 'user' as const, content }];

/** A fresh agent scripted with `turns`, and a session of it started with `content`. */
export async function startSession(suite: Suite, turns: TurnScriptInput[], content = 'go') {
  const agent = suite.emulator.createAgent({ name: 'spec agent' }, turns);
  const session = await suite.client.createSession({ agent_id: agent.id, input: userInput(content) });
  return { agent, session };
}

/** Options that make a follower's reconnects quick. */
export const fastFollow = (options: FollowOptions = {}): FollowOptions => ({
  ...options,
  reconnect: { ...FAST_RETRY, ...options.reconnect },
});

export async function collect(follower: SessionFollower): Promise<SessionEvent[]> {
  const events: SessionEvent[] = [];
  for await (const event of follower) events.push(event);
  return events;
}

export const idsOf = (events: readonly SessionEvent[]) => events.map((event) => event.id);
