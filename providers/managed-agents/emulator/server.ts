// A faithful local managed-agent platform (seed 004) on real HTTP, for tests and the dev stack, and the handle
// tests drive it with: script what agents' sessions do, inject stream and API faults, and read the truth (every
// session's full log and every stream connection) without going through the API under test. Everything lives
// in the instance, so several emulators can run side by side; close() leaves no timer or socket behind.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Router } from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { createLogger } from '../../../services/shared/logger.js';
import type { Agent, AgentConfig, SessionEvent, SessionMeta } from '../schemas.js';
import { registerAgentRoutes } from './agent-routes.js';
import { ApiFaults } from './api-faults.js';
import { bearerAuth, platformErrorMiddleware, type PlatformState } from './platform-errors.js';
import type { ApiFaultInput, StreamFaultsInput, TurnScriptInput } from './scripts.js';
import { SessionEngine } from './session-engine.js';
import { registerSessionRoutes } from './session-routes.js';
import { agentView, sessionView, Store } from './store.js';
import { StreamServer, type ConnectionRecord } from './stream.js';
import { listen } from '../../../services/shared/listen.js';

export type { ApiFaultInput, StreamFaultsInput, TurnScriptInput } from './scripts.js';
export type { ConnectionRecord } from './stream.js';

/** The variable main.ts reads its demo agents from, as JSON `[{id, name, turns}]`. */
export const SEED_AGENTS_VARIABLE = 'MANAGED_AGENTS_EMULATOR_AGENTS';

export interface ManagedAgentsEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The Bearer key the API accepts; default a random one, read back from the handle. */
  apiKey?: string;
  /** Interval of `: keep-alive` comments on open streams; default 10 s. */
  keepAliveMs?: number;
  logger?: Logger;
}

/** A session as the emulator knows it, deleted or not: the ground truth tests compare against. */
export interface SessionTruth {
  meta: SessionMeta;
  deleted: boolean;
  events: SessionEvent[];
  connections: ConnectionRecord[];
}

/** A running emulator and its control handle. */
export interface ManagedAgentsEmulator {
  /** Base URL for ManagedAgentsClient, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  apiKey: string;
  /** Creates an agent directly (version 1), optionally with the turns its sessions play and a chosen ID. */
  createAgent(config?: Partial<AgentConfig>, turns?: TurnScriptInput[], id?: string): Agent;
  /** Replaces the turns `agentId`'s sessions play; the last one repeats. */
  scriptAgent(agentId: string, turns: TurnScriptInput[]): void;
  /** Replaces the faults of the streams of `agentId`'s sessions. */
  setStreamFaults(agentId: string, faults: StreamFaultsInput): void;
  /** Queues a failure for matching API requests. */
  injectApiFault(fault: ApiFaultInput): void;
  /** The session's truth; throws when it never existed. */
  session(sessionId: string): SessionTruth;
  /** All sessions of `agentId`, deleted ones included, oldest first. */
  sessionsOf(agentId: string): SessionTruth[];
  /** Forgets agents, sessions, scripts and faults. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the emulator on real HTTP and returns its URL and handle. */
export async function startManagedAgentsEmulator(
  options: ManagedAgentsEmulatorOptions = {},
): Promise<ManagedAgentsEmulator> {
  const host = options.host ?? '127.0.0.1';
  const apiKey = options.apiKey ?? `ma_test_${randomBytes(16).toString('hex')}`;
  const logger = options.logger ?? createLogger('managed-agents-emulator', 'silent');
  const store = new Store();
  const engine = new SessionEngine(store);
  const streams = new StreamServer(engine, options.keepAliveMs ?? 10_000);
  const apiFaults = new ApiFaults();

  const router = new Router<PlatformState>();
  router.use(apiFaults.middleware(), bearerAuth(new Set([apiKey])));
  registerAgentRoutes(router, store);
  registerSessionRoutes(router, store, engine, streams);
  const app = new Koa<PlatformState>();
  app.use(platformErrorMiddleware(logger));
  app.use(router.routes()).use(router.allowedMethods({ throw: true }));

  const server = createServer(app.callback());
  const address = await listen(server, options.port ?? 0, host);
  const truth = (id: string): SessionTruth => {
    const record = store.sessions.get(id);
    if (!record) throw new TypeError(`no session ${id} in this emulator`);
    const events = [...record.events];
    return {
      meta: sessionView(record),
      deleted: record.deleted,
      events,
      connections: streams.connectionsOf(id),
    };
  };

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    apiKey,
    createAgent(config = {}, turns, id) {
      const agent = store.createAgent({ name: 'emulated agent', ...config }, id);
      if (turns) engine.script(agent.id, turns);
      return agentView(agent);
    },
    scriptAgent: (agentId, turns) => {
      store.requireAgent(agentId);
      engine.script(agentId, turns);
    },
    setStreamFaults: (agentId, faults) => engine.setFaults(agentId, faults),
    injectApiFault: (fault) => apiFaults.add(fault),
    session: truth,
    sessionsOf: (agentId) =>
      [...store.sessions.values()].filter((s) => s.agent_id === agentId).map((s) => truth(s.id)),
    reset() {
      engine.reset();
      apiFaults.clear();
      streams.clear();
      store.clear();
    },
    async close() {
      engine.stopAll();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
