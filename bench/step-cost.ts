// Benchmark 5: what one pipeline step costs Temporal, in history events and bytes, summed over every
// workflow a step touches: the pipeline's own history, the run's tracker, and the agent lane's (shared by
// all steps of the agent, so divided by the permits it granted). Short and long pipelines are compared so the
// per-step figure is the marginal cost, with the fixed cost of a pipeline shown apart.
import type { Benchmark } from './lib/benchmark.js';
import { allEvents, fetchHistories, type WorkflowHistories } from './lib/history.js';
import { mapLimit } from '../services/shared/map-limit.js';
import { runFleet, sequentialPipeline, succeeded, type PipelineOutcome } from './lib/pipelines.js';
import { startStack, UNLIMITED_TWIN_BUDGET, type BenchStack } from './lib/stack.js';
import { formatBytes, formatNumber, type Row } from './report.js';
import { median } from './stats.js';

/**
 * The floor a durable "start a run, wait for its end" step cannot go below in Temporal: one activity
 * (scheduled, started, completed) and one signal, each followed by a workflow task (scheduled, started,
 * completed): 3 + 3 + 1 + 3 = 10 events.
 */
const FLOOR_EVENTS_PER_STEP = 10;

interface Cost {
  events: number;
  bytes: number;
}

interface PipelineCost {
  pipeline: Cost;
  trackers: Cost;
  /** Activities scheduled by the pipeline and its trackers, by `type@taskQueue`. */
  activities: Map<string, number>;
}

const add = (a: Cost, b: Pick<WorkflowHistories, 'events' | 'bytes'>): Cost => ({
  events: a.events + b.events,
  bytes: a.bytes + b.bytes,
});
const ZERO: Cost = { events: 0, bytes: 0 };

async function pipelineCost(stack: BenchStack, outcome: PipelineOutcome): Promise<PipelineCost> {
  const pipeline = await fetchHistories(stack.client, outcome.workflowId);
  const runIds = outcome.state?.steps.flatMap((s) => s.runIds) ?? [];
  const trackers = await mapLimit(runIds, 8, (runId) => fetchHistories(stack.client, `twin-run/${runId}`));
  const activities = new Map<string, number>();
  for (const event of [pipeline, ...trackers].flatMap(allEvents)) {
    const attributes = event.activityTaskScheduledEventAttributes;
    if (!attributes) continue;
    const key = `${attributes.activityType?.name ?? '?'}@${attributes.taskQueue?.name ?? '?'}`;
    activities.set(key, (activities.get(key) ?? 0) + 1);
  }
  return { pipeline: add(ZERO, pipeline), trackers: trackers.reduce(add, ZERO), activities };
}

/** Activities per step: the difference between a long and a short pipeline, divided by the extra steps. */
function activitiesPerStep(short: PipelineCost, long: PipelineCost, span: number): [string, number][] {
  const keys = new Set([...short.activities.keys(), ...long.activities.keys()]);
  return [...keys]
    .sort()
    .map((key) => [key, ((long.activities.get(key) ?? 0) - (short.activities.get(key) ?? 0)) / span]);
}

function medianCost(costs: PipelineCost[], pick: (c: PipelineCost) => Cost): Cost {
  return { events: median(costs.map((c) => pick(c).events)), bytes: median(costs.map((c) => pick(c).bytes)) };
}

export const stepCost: Benchmark = {
  name: 'step-cost',
  title: '5. Cost per step',
  async run(ctx) {
    const shortSteps = ctx.quick ? 2 : 3;
    const longSteps = ctx.quick ? 5 : 20;
    const repeats = ctx.quick ? 1 : 3;
    const stack = await startStack(ctx, { agents: 1, worker: UNLIMITED_TWIN_BUDGET });
    try {
      const agent = stack.agentIds[0] as string;
      const measure = async (steps: number) => {
        const definition = sequentialPipeline(`bench-cost-${steps}`, steps);
        const outcomes: PipelineOutcome[] = [];
        for (let i = 0; i < repeats; i++)
          outcomes.push(...(await runFleet(stack, definition, [agent], 5 * 60_000)).outcomes);
        const failed = outcomes.filter((o) => !succeeded(o)).length;
        if (failed > 0) throw new Error(`step-cost: ${failed} pipeline(s) of ${steps} steps did not succeed`);
        return Promise.all(outcomes.map((o) => pipelineCost(stack, o)));
      };
      ctx.log(`step-cost: ${repeats} pipeline(s) of ${shortSteps} and of ${longSteps} steps, one at a time`);
      const short = await measure(shortSteps);
      const long = await measure(longSteps);
      const lane = await fetchHistories(stack.client, `agent-lane/${agent}`);
      const grants = repeats * (shortSteps + longSteps);
      const laneShare: Cost = { events: lane.events / grants, bytes: lane.bytes / grants };

      const span = longSteps - shortSteps;
      const marginal = (pick: (c: PipelineCost) => Cost): Cost => {
        const s = medianCost(short, pick);
        const l = medianCost(long, pick);
        return { events: (l.events - s.events) / span, bytes: (l.bytes - s.bytes) / span };
      };
      const pipelinePart = marginal((c) => c.pipeline);
      const trackerPart = marginal((c) => c.trackers);
      const total: Cost = {
        events: pipelinePart.events + trackerPart.events + laneShare.events,
        bytes: pipelinePart.bytes + trackerPart.bytes + laneShare.bytes,
      };
      // The last repetitions: the very first pipeline on the stack also pays for starting the agent's lane.
      const perStepActivities = activitiesPerStep(
        short.at(-1) as PipelineCost,
        long.at(-1) as PipelineCost,
        span,
      );
      const mainQueueActivities = perStepActivities
        .filter(([key]) => key.endsWith(`@${stack.taskQueue}`))
        .reduce((n, [, c]) => n + c, 0);
      const fixed = medianCost(short, (c) => c.pipeline);
      const fixedEvents = fixed.events - shortSteps * pipelinePart.events;
      const fixedBytes = fixed.bytes - shortSteps * pipelinePart.bytes;
      const part = (figure: string, cost: Cost): Row => ({
        figure: `${figure}: events / bytes per step`,
        value: `${formatNumber(cost.events, 1)} / ${formatBytes(cost.bytes)}`,
        baseline: '—',
        goal: '—',
      });
      return {
        rows: [
          {
            figure: 'history events per step, all workflows (baseline: floor of one activity + one signal)',
            value: formatNumber(total.events, 1),
            baseline: String(FLOOR_EVENTS_PER_STEP),
            ratio: total.events / FLOOR_EVENTS_PER_STEP,
            goal: '—',
          },
          {
            figure: 'history bytes per step, all workflows',
            value: formatBytes(total.bytes),
            baseline: '—',
            goal: '—',
          },
          part('of which the pipeline workflow', pipelinePart),
          part('of which the run tracker', trackerPart),
          part('of which the agent lane (its history / permits granted)', laneShare),
          {
            figure: 'fixed cost per pipeline: events / bytes',
            value: `${formatNumber(fixedEvents, 0)} / ${formatBytes(fixedBytes)}`,
            baseline: '—',
            goal: '—',
          },
        ],
        notes: [
          `${repeats} pipeline(s) each of ${shortSteps} and ${longSteps} sequential agent steps on one agent, runs complete instantly, webhooks through the receiver. Per step = (median cost of a ${longSteps}-step pipeline − that of a ${shortSteps}-step one) / ${span}; bytes are the protobuf size of the histories as the server returns them (payloads included).`,
          'Run trackers are counted as they are when the pipeline ends: each stays open 10 min after its run ends to absorb late duplicates, which later adds a timer and its completion (about 5 events).',
          `The lane's history is shared: ${lane.events} events over ${grants} permits (${lane.runs.length} run(s), continue-as-new every 250 grants).`,
          `Activities per step (type@task queue): ${perStepActivities.map(([key, count]) => `${key} ${formatNumber(count, 2)}`).join(', ')}. Every one on the main queue counts against its server-side budget (TWIN_API_RATE_LIMIT_PER_SECOND, 20/s by default), whether or not it calls Twin, so at the defaults all pipelines together make at most 20 / ${formatNumber(mainQueueActivities, 2)} = ${formatNumber(20 / mainQueueActivities, 1)} steps/s.`,
          `The floor (${FLOOR_EVENTS_PER_STEP} events) is the least a workflow could record for a step that starts a Twin run through an activity and learns its end by signal; the rest is what exactly-once starts, per-agent permits and webhook/poll reconciliation cost.`,
        ],
      };
    } finally {
      await stack.close();
    }
  },
};
