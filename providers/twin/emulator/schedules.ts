// Fires scheduled runs on each agent's 7-field cron, with one timer per agent. The next slot is computed from
// the later of the slot that just fired and "now": a timer that fires a little early cannot repeat a slot, and
// slots missed while the process was stalled are skipped rather than fired in a burst.
import type { Logger } from 'pino';
import { nextFireTimes } from '../vocabulary/cron.js';
import type { AgentRecord } from './state.js';
import type { Store } from './store.js';

/** setTimeout cannot wait longer than ~24.8 days; longer waits re-arm in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Scheduler {
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: Store,
    private readonly fire: (agent: AgentRecord) => void,
    private readonly logger: Logger,
  ) {}

  /** Call after any change to an agent's schedule (or its deletion): arms, re-arms or disarms it. */
  sync(agentId: string): void {
    this.disarm(agentId);
    const schedule = this.store.agents.get(agentId)?.schedule;
    if (!schedule || schedule.paused) return;
    try {
      this.armAfter(agentId, schedule.cron, new Date());
    } catch (err) {
      // Only a hand-edited state file can hold an invalid cron: the API validates it before storing.
      this.logger.error({ err, agentId, cron: schedule.cron }, 'schedule not armed: invalid cron');
    }
  }

  syncAll(): void {
    for (const agentId of this.store.agents.keys()) this.sync(agentId);
  }

  stopAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private disarm(agentId: string): void {
    clearTimeout(this.timers.get(agentId));
    this.timers.delete(agentId);
  }

  private armAfter(agentId: string, cron: string, after: Date): void {
    const [at] = nextFireTimes(cron, after, 1);
    if (!at) return;
    this.armAt(agentId, cron, at);
  }

  private armAt(agentId: string, cron: string, at: Date): void {
    const wait = at.getTime() - Date.now();
    if (wait > MAX_TIMER_MS) {
      this.timers.set(
        agentId,
        setTimeout(() => this.armAt(agentId, cron, at), MAX_TIMER_MS),
      );
      return;
    }
    this.timers.set(
      agentId,
      setTimeout(() => this.slot(agentId, cron, at), Math.max(0, wait)),
    );
  }

  private slot(agentId: string, cron: string, at: Date): void {
    this.timers.delete(agentId);
    const agent = this.store.agents.get(agentId);
    if (!agent?.schedule || agent.schedule.paused) return;
    if (agent.deployment_state === 'deployed') {
      this.fire(agent);
    } else {
      this.logger.warn({ agentId }, 'scheduled slot skipped: agent is not deployed');
    }
    this.armAfter(agentId, cron, new Date(Math.max(at.getTime(), Date.now())));
  }
}
