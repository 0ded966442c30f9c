// The emulated platform's state, in memory and per instance: agents with every version they ever had, and
// sessions with their pinned version and full event log. Records are kept whole (archived agents, deleted
// sessions) because the platform's deletes are soft and tests read the truth through the emulator's handle.
import { randomId } from '../../twin/emulator/ids.js';
import type { Agent, AgentConfig, Page, SessionEvent, SessionMeta } from '../schemas.js';
import { conflict, notFound, PlatformError } from './platform-errors.js';

export interface AgentRecord {
  id: string;
  archived: boolean;
  created_at: string;
  /** versions[n - 1] is version n. */
  versions: { config: AgentConfig; created_at: string }[];
}

export interface SessionRecord {
  id: string;
  agent_id: string;
  agent_version: number;
  status: string;
  created_at: string;
  updated_at: string;
  deleted: boolean;
  /** Turns started so far; selects the agent's next scripted turn. */
  turns: number;
  events: SessionEvent[];
}

const now = () => new Date().toISOString();

/** The agent at version `version` (default: its latest), as the API shows it. */
export function agentView(agent: AgentRecord, version = agent.versions.length): Agent {
  const at = agent.versions[version - 1];
  if (!at) throw notFound(`version ${version} of agent ${agent.id}`);
  return {
    ...at.config,
    id: agent.id,
    version,
    archived: agent.archived,
    created_at: agent.created_at,
    updated_at: at.created_at,
  };
}

/** SessionMeta as the API shows it. */
export function sessionView(session: SessionRecord): SessionMeta {
  const { id, agent_id, agent_version, status, created_at, updated_at } = session;
  return { id, agent_id, agent_version, status, created_at, updated_at };
}

/** One page of `items` after the item whose key is `cursor`; the cursor is the last key of the page. */
export function paginate<T>(items: T[], keyOf: (item: T) => string, limit: number, cursor?: string): Page<T> {
  let start = 0;
  if (cursor !== undefined) {
    const at = items.findIndex((item) => keyOf(item) === cursor);
    if (at < 0)
      throw new PlatformError(400, 'invalid_cursor', `cursor ${cursor} is not a position of this list`);
    start = at + 1;
  }
  const data = items.slice(start, start + limit);
  const last = data[data.length - 1];
  return { data, next_cursor: start + limit < items.length && last ? keyOf(last) : null };
}

export class Store {
  readonly agents = new Map<string, AgentRecord>();
  readonly sessions = new Map<string, SessionRecord>();

  createAgent(config: AgentConfig, id: string = randomId('agent_')): AgentRecord {
    if (this.agents.has(id)) throw conflict('already_exists', `agent ${id} already exists`);
    const at = now();
    const agent = { id, archived: false, created_at: at, versions: [{ config, created_at: at }] };
    this.agents.set(id, agent);
    return agent;
  }

  requireAgent(id: string): AgentRecord {
    const agent = this.agents.get(id);
    if (!agent) throw notFound(`agent ${id}`);
    return agent;
  }

  /** A new version with `patch` over the latest config. */
  updateAgent(agent: AgentRecord, patch: Partial<AgentConfig>): void {
    if (agent.archived) throw conflict('agent_archived', `agent ${agent.id} is archived`);
    const latest = agent.versions[agent.versions.length - 1]?.config;
    agent.versions.push({ config: { ...latest, ...patch } as AgentConfig, created_at: now() });
  }

  createSession(agent: AgentRecord, version: number): SessionRecord {
    const at = now();
    const session: SessionRecord = {
      id: randomId('sess_'),
      agent_id: agent.id,
      agent_version: version,
      status: 'running',
      created_at: at,
      updated_at: at,
      deleted: false,
      turns: 0,
      events: [],
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** A session the API can see: deleted ones are gone from it (A3). */
  requireSession(id: string): SessionRecord {
    const session = this.sessions.get(id);
    if (!session || session.deleted) throw notFound(`session ${id}`);
    return session;
  }

  /**
   * Appends an event with the next ID. IDs are `evt_` and a zero-padded per-session counter, so they order
   * both numerically and as strings (A6).
   */
  append(session: SessionRecord, type: string, data: Record<string, unknown>): SessionEvent {
    const id = `evt_${String(session.events.length + 1).padStart(6, '0')}`;
    const event: SessionEvent = { id, type, created_at: now(), data };
    session.events.push(event);
    session.updated_at = event.created_at ?? session.updated_at;
    return event;
  }

  clear(): void {
    this.agents.clear();
    this.sessions.clear();
  }
}
