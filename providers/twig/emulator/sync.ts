// Data-source syncs that take time, as the seed's status endpoint implies ("processing", `progress_pct`,
// `estimated_completion`): a sync moves its data source to `processing`, raises `progress_pct` in even steps over
// the scripted duration, then ends `active` (or `failed`) and sends `data_source.synced`. The seed has no cancel,
// so nothing stops a sync but a reset. A sync asked for while one runs is accepted and joins it (A7).
import { z } from 'zod';
import { nowIso } from './http.js';
import type { DataSourceRecord } from './store.js';
import { Timers } from '../../../services/shared/timers.js';

export const syncPlanSchema = z.strictObject({
  durationMs: z.number().int().min(0).max(3_600_000).default(1_000),
  /** Progress updates before completion. */
  steps: z.number().int().min(1).max(100).default(4),
  result: z.enum(['active', 'failed']).default('active'),
  chunks: z.number().int().min(0).default(450),
});
export type SyncPlan = z.output<typeof syncPlanSchema>;
export type SyncPlanInput = z.input<typeof syncPlanSchema>;

export type SyncFinished = (source: DataSourceRecord) => void;

export class SyncEngine {
  private readonly plans = new Map<string, SyncPlan>();
  private defaultPlan: SyncPlan = syncPlanSchema.parse({});
  private readonly timers = new Timers();

  constructor(private readonly finished: SyncFinished) {}

  /** The plan of one data source's next syncs, or of every data source without its own (`id` undefined). */
  script(id: string | undefined, input: SyncPlanInput): void {
    const plan = syncPlanSchema.parse(input);
    if (id === undefined) this.defaultPlan = plan;
    else this.plans.set(id, plan);
  }

  start(source: DataSourceRecord): void {
    if (source.status === 'processing') return;
    const plan = this.plans.get(source.id) ?? this.defaultPlan;
    source.status = 'processing';
    source.progress_pct = 0;
    source.chunks_indexed = 0;
    source.estimated_completion = new Date(Date.now() + plan.durationMs).toISOString();
    const stepMs = plan.durationMs / plan.steps;
    for (let step = 1; step <= plan.steps; step++) {
      this.timers.later(
        () => (step === plan.steps ? this.finish(source, plan) : this.advance(source, plan, step)),
        stepMs * step,
      );
    }
  }

  stop(): void {
    this.timers.clear();
  }

  clearPlans(): void {
    this.plans.clear();
    this.defaultPlan = syncPlanSchema.parse({});
  }

  private advance(source: DataSourceRecord, plan: SyncPlan, step: number): void {
    source.progress_pct = Math.floor((100 * step) / plan.steps);
    source.chunks_indexed = Math.floor((plan.chunks * step) / plan.steps);
  }

  private finish(source: DataSourceRecord, plan: SyncPlan): void {
    source.status = plan.result;
    if (plan.result === 'active') {
      source.progress_pct = 100;
      source.chunks_indexed = plan.chunks;
    }
    source.estimated_completion = nowIso();
    this.finished(source);
  }
}
