// The typed client of the managed-agent platform (seed 004): the endpoints a pipeline needs, each a method over
// one transport (transport.ts), with paths from the one route table (routes.ts). The event stream is not a
// method returning raw bytes: followSession() gives the resumable, de-duplicated reader the pipeline needs.
import { z } from 'zod';
import { ROUTES, fillPath, type Route } from './routes.js';
import {
  agentConfigSchema,
  agentPatchSchema,
  agentSchema,
  createSessionSchema,
  eventLogSchema,
  pageSchema,
  sendTurnSchema,
  sessionMetaSchema,
  type Agent,
  type AgentConfig,
  type AgentPatch,
  type CreateSessionRequest,
  type Page,
  type SendTurnRequest,
  type SessionEvent,
  type SessionMeta,
} from './schemas.js';
import { SessionFollower, type FollowOptions, type SessionEventSource } from './session-follower.js';
import {
  createTransport,
  type Call,
  type ManagedAgentsClientOptions,
  type Query,
  type RequestOptions,
} from './transport.js';

export type { ManagedAgentsClientOptions, RequestOptions } from './transport.js';

/** Paging of every list. */
export interface PageQuery {
  limit?: number;
  cursor?: string;
}

export interface ListAgentsQuery extends PageQuery {
  /** true: archived agents only; false: live ones only; absent: the platform's default. */
  archived?: boolean;
}

export interface ListSessionsQuery extends PageQuery {
  agent_id?: string;
  status?: string;
}

const agentPage = pageSchema(agentSchema);
const sessionPage = pageSchema(sessionMetaSchema);
/** 204, or a 2xx with a body twinflow does not need. */
const noContent = z.unknown().transform((): void => undefined);

/**
 * The client. Every method rejects with a ManagedAgentsApiError, or an UnconfirmedWriteError for a write that
 * may have happened (createSession, sendTurn, createAgent, updateAgent); invalid arguments throw a TypeError
 * before anything is sent.
 */
export class ManagedAgentsClient implements SessionEventSource {
  private readonly transport;

  /** Throws a TypeError naming the problem when `options` cannot work (no key, not a URL, …). */
  constructor(options: ManagedAgentsClientOptions) {
    this.transport = createTransport(options);
  }

  private run<T>(
    route: Route,
    ids: Record<string, string | number>,
    rest: Omit<Call<T>, 'route' | 'path'>,
    o?: RequestOptions,
  ) {
    return this.transport.call({ route, path: fillPath(route, ids), ...rest }, o);
  }

  // ---- agents and versions ----

  listAgents(query: ListAgentsQuery = {}, o?: RequestOptions): Promise<Page<Agent>> {
    return this.run(ROUTES.listAgents, {}, { query: { ...query }, response: agentPage }, o);
  }

  createAgent(config: AgentConfig, o?: RequestOptions): Promise<Agent> {
    const body = { schema: agentConfigSchema, value: config };
    return this.run(ROUTES.createAgent, {}, { body, response: agentSchema, operation: 'createAgent' }, o);
  }

  /** The agent at its current version. */
  getAgent(agentId: string, o?: RequestOptions): Promise<Agent> {
    return this.run(ROUTES.getAgent, { agent_id: agentId }, { response: agentSchema }, o);
  }

  /** Changes some fields; the platform bumps the version and answers the agent at the new one. */
  updateAgent(agentId: string, patch: AgentPatch, o?: RequestOptions): Promise<Agent> {
    const body = { schema: agentPatchSchema, value: patch };
    const rest = { body, response: agentSchema, operation: 'updateAgent' as const };
    return this.run(ROUTES.updateAgent, { agent_id: agentId }, rest, o);
  }

  /** Soft delete: sessions keep the version they are pinned to. */
  archiveAgent(agentId: string, o?: RequestOptions): Promise<Agent> {
    return this.run(ROUTES.archiveAgent, { agent_id: agentId }, { response: agentSchema }, o);
  }

  listAgentVersions(agentId: string, query: PageQuery = {}, o?: RequestOptions): Promise<Page<Agent>> {
    const rest = { query: { ...query }, response: agentPage };
    return this.run(ROUTES.listAgentVersions, { agent_id: agentId }, rest, o);
  }

  getAgentVersion(agentId: string, version: number, o?: RequestOptions): Promise<Agent> {
    if (!Number.isInteger(version) || version < 1) {
      throw new TypeError(`getAgentVersion: version must be a positive integer, got ${version}`);
    }
    return this.run(ROUTES.getAgentVersion, { agent_id: agentId, version }, { response: agentSchema }, o);
  }

  // ---- sessions ----

  /**
   * Creates and starts a session (pinned to `agent_version` when given). Never retried after an ambiguous
   * failure: an UnconfirmedWriteError says to look for the session in listSessions({agent_id}) instead.
   */
  createSession(request: CreateSessionRequest, o?: RequestOptions): Promise<SessionMeta> {
    const body = { schema: createSessionSchema, value: request };
    const rest = { body, response: sessionMetaSchema, operation: 'createSession' as const };
    return this.run(ROUTES.createSession, {}, rest, o);
  }

  listSessions(query: ListSessionsQuery = {}, o?: RequestOptions): Promise<Page<SessionMeta>> {
    return this.run(ROUTES.listSessions, {}, { query: { ...query } as Query, response: sessionPage }, o);
  }

  getSession(sessionId: string, o?: RequestOptions): Promise<SessionMeta> {
    return this.run(ROUTES.getSession, { session_id: sessionId }, { response: sessionMetaSchema }, o);
  }

  /** The full event log, in the platform's order. */
  getSessionEvents(sessionId: string, o?: RequestOptions): Promise<SessionEvent[]> {
    return this.run(ROUTES.getSessionEvents, { session_id: sessionId }, { response: eventLogSchema }, o);
  }

  /**
   * Sends another user turn. Never retried after an ambiguous failure: an UnconfirmedWriteError says to look
   * for the turn in the event log after the last recorded event instead.
   */
  sendTurn(sessionId: string, request: SendTurnRequest, o?: RequestOptions): Promise<SessionMeta> {
    const body = { schema: sendTurnSchema, value: request };
    const rest = { body, response: sessionMetaSchema, operation: 'sendTurn' as const };
    return this.run(ROUTES.sendTurn, { session_id: sessionId }, rest, o);
  }

  /** Cancels a running or idle session; repeating it is harmless, so it is retried. */
  cancelSession(sessionId: string, o?: RequestOptions): Promise<SessionMeta> {
    return this.run(ROUTES.cancelSession, { session_id: sessionId }, { response: sessionMetaSchema }, o);
  }

  /** Soft-deletes a session; the platform answers 204 (A3). */
  deleteSession(sessionId: string, o?: RequestOptions): Promise<void> {
    return this.run(ROUTES.deleteSession, { session_id: sessionId }, { response: noContent }, o);
  }

  openStream(sessionId: string, after: string | undefined, signal: AbortSignal): Promise<Response> {
    const path = fillPath(ROUTES.streamSession, { session_id: sessionId });
    return this.transport.openStream(path, { after }, signal);
  }

  /** Follows a session's events from after `options.after` (the last durably recorded event ID). */
  followSession(sessionId: string, options: FollowOptions = {}): SessionFollower {
    return new SessionFollower(this, sessionId, options);
  }
}
