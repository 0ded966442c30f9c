// Starting a Twin run at most once, against the emulator's documented profile: run objects do not echo the
// message, so a lost start answer must be settled from what twinflow knows. The emulator's slow fault performs
// the start and answers after the client's timeout: the ambiguous case that used to leave a second run behind.
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMBIGUOUS_START, START_SETTLE_MS } from '../../providers/twin/activities/start-run.js';
import { createTwinRunActivities } from '../../providers/twin/activities/twin-runs.js';
import { TwinApiError } from '../../providers/twin/client/errors.js';
import type { TwinClient } from '../../providers/twin/client/client.js';
import {
  DISOWNED_TOKEN_PREFIX,
  RUN_TRACKER_ID_PREFIX,
  runTrackerStateQuery,
  runTrackerWorkflowId,
} from '../../providers/twin/workflows/run-tracker-api.js';
import { startTwinflowStack, type TwinflowStack } from '../support/twinflow-stack.js';

/** The client's timeout in the test stack is 10 s: a slower answer is lost to the caller. */
const LOST_ANSWER_MS = 10_500;

interface Faults {
  /** Agents whose next start is refused with a 502 before Twin performs it. */
  refuseNextStart: Set<string>;
  /** Agents whose next subscription to the tracker fails after the run was created. */
  failNextSubscribe: Set<string>;
  /** Agents whose next start answer carries a status word no document lists. */
  oddStatusOnStart: Set<string>;
  /** Agents whose next start Twin performs but whose answer is lost on the way back. */
  loseNextAnswer: Set<string>;
}

const faults: Faults = {
  refuseNextStart: new Set(),
  failNextSubscribe: new Set(),
  oddStatusOnStart: new Set(),
  loseNextAnswer: new Set(),
};

/** A Twin client whose next start for a marked agent fails as a gateway would, without reaching Twin. */
function refusingTwin(twin: TwinClient): TwinClient {
  return {
    ...twin,
    startRun: async (agentId, body, options) => {
      if (faults.refuseNextStart.delete(agentId)) {
        throw new TwinApiError({
          status: 502,
          title: 'Bad Gateway',
          detail: 'upstream connect error (test)',
          code: 'UNAVAILABLE',
          retryable: true,
          mayHavePerformed: true,
        });
      }
      const answer = await twin.startRun(agentId, body, options);
      if (faults.loseNextAnswer.delete(agentId)) {
        throw new TwinApiError({
          status: 0,
          title: 'Timeout',
          detail: 'no answer within the timeout (test)',
          code: 'DEADLINE_EXCEEDED',
          retryable: true,
          mayHavePerformed: true,
        });
      }
      if (faults.oddStatusOnStart.delete(agentId))
        return { ...answer, run: { ...answer.run, status: 'queued' } };
      return answer;
    },
  };
}

/** A Temporal client whose next signal-with-start for a marked agent's tracker fails, as a reset would. */
function flakyTemporal(client: Client): Client {
  const workflow = new Proxy(client.workflow, {
    get(target, property) {
      if (property === 'signalWithStart') {
        return async (...args: Parameters<Client['workflow']['signalWithStart']>) => {
          const [, options] = args;
          const agentId = (options.args?.[0] as { agentId?: string } | undefined)?.agentId;
          const toTracker = options.workflowId.startsWith(RUN_TRACKER_ID_PREFIX);
          if (toTracker && agentId && faults.failNextSubscribe.delete(agentId))
            throw new Error('connection reset (test)');
          return target.signalWithStart(...args);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(client, {
    get: (target, property) => (property === 'workflow' ? workflow : Reflect.get(target, property)),
  });
}

let stack: TwinflowStack;

beforeAll(async () => {
  stack = await startTwinflowStack({
    decorate: (activities, world) => ({
      ...activities,
      main: {
        ...activities.main,
        ...createTwinRunActivities({
          twin: refusingTwin(world.twin),
          temporal: flakyTemporal(world.client),
          taskQueue: world.config.TEMPORAL_TASK_QUEUE,
          reconcileAfterMs: world.config.RUN_RECONCILE_AFTER_SECONDS * 1000,
        }),
      },
    }),
  });
});
afterAll(() => stack?.close());

async function runOnce(agentId: string) {
  const handle = await stack.startAgentRun({ agentId, options: { userMessage: 'Send the weekly email.' } });
  return handle.result();
}

describe('a start whose answer is lost', () => {
  it('adopts the one run Twin created instead of starting a second', async () => {
    const agentId = await stack.newAgent([{ durationMs: 100 }]);
    await stack.control.setFaults({
      api: { slowRate: 1, slowMs: LOST_ANSWER_MS, match: { method: 'POST', path: `${agentId}/runs$` } },
    });
    try {
      const result = await runOnce(agentId);
      const runs = await stack.runsOf(agentId);
      expect(runs).toHaveLength(1);
      expect(result.runId).toBe(runs[0]?.run_id);
      expect(result.runs.map((r) => r.resolution)).toEqual(['adopted']);
    } finally {
      await stack.control.setFaults({});
    }
  }, 60_000);

  it('fails as AmbiguousStart, naming the candidates, when other unclaimed runs of the agent exist', async () => {
    const agentId = await stack.newAgent([{ result: 'never' }]);
    // Started by a person in the Twin UI a moment earlier: Twin's run list cannot tell it from ours.
    const { run: foreign } = await stack.twin.startRun(agentId, { run_mode: 'run' });
    await stack.control.setFaults({
      api: { slowRate: 1, slowMs: LOST_ANSWER_MS, match: { method: 'POST', path: `${agentId}/runs$` } },
    });
    try {
      const failure = await runOnce(agentId).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = innermost(failure);
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe(AMBIGUOUS_START);
      const runs = await stack.runsOf(agentId);
      expect(runs).toHaveLength(2);
      const [details] = (cause as ApplicationFailure).details as [{ candidates: { runId: string }[] }];
      expect(details.candidates.map((c) => c.runId).sort()).toEqual(runs.map((r) => r.run_id).sort());
      expect((cause as ApplicationFailure).message).toContain(foreign.run_id);
      // Quarantined, so that no later start of this agent takes one of them for its own.
      for (const run of runs) {
        const tracker = stack.client.workflow.getHandle(runTrackerWorkflowId(run.run_id));
        const state = await tracker.query(runTrackerStateQuery);
        expect(state.subscribers.map((s) => s.token.startsWith(DISOWNED_TOKEN_PREFIX))).toContain(true);
      }
    } finally {
      await stack.control.setFaults({});
      for (const run of await stack.runsOf(agentId)) await stack.twin.cancelRun(agentId, run.run_id);
    }
  }, 60_000);
});

describe('a lost start answer while other steps of the agent hold permits', () => {
  it('adopts its run once every other holder has claimed its own', async () => {
    const agentId = await stack.newAgent([{ durationMs: 2_000 }]);
    faults.loseNextAnswer.add(agentId);
    const options = { userMessage: 'Send the weekly email.', concurrency: 2 };
    const handles = await Promise.all([1, 2].map(() => stack.startAgentRun({ agentId, options })));
    const results = await Promise.all(handles.map((handle) => handle.result()));
    expect(await stack.runsOf(agentId)).toHaveLength(2);
    expect(new Set(results.map((r) => r.runId)).size).toBe(2);
    expect(results.flatMap((r) => r.runs.map((run) => run.resolution)).sort()).toEqual([
      'adopted',
      'answered',
    ]);
  }, 60_000);
});

describe('a start that failed before Twin created anything', () => {
  it('starts the run once the settle window shows that nothing was created', async () => {
    const agentId = await stack.newAgent([{ durationMs: 100 }]);
    faults.refuseNextStart.add(agentId);
    const before = Date.now();
    const result = await runOnce(agentId);
    expect(await stack.runsOf(agentId)).toHaveLength(1);
    expect(result.runs.map((r) => r.resolution)).toEqual(['answered']);
    expect(Date.now() - before).toBeGreaterThanOrEqual(START_SETTLE_MS);
  }, 60_000);
});

describe('an error after Twin created the run', () => {
  it('is not a reason to start again: the retry keeps the run the first attempt created', async () => {
    const agentId = await stack.newAgent([{ durationMs: 100 }]);
    faults.failNextSubscribe.add(agentId);
    const result = await runOnce(agentId);
    expect(await stack.runsOf(agentId)).toHaveLength(1);
    expect(result.runs.map((r) => r.resolution)).toEqual(['recovered']);
  }, 60_000);
});

describe('a start answer with an undocumented status word', () => {
  it('keeps the run and follows it instead of failing the start', async () => {
    const agentId = await stack.newAgent([{ durationMs: 100 }]);
    faults.oddStatusOnStart.add(agentId);
    const result = await runOnce(agentId);
    expect(await stack.runsOf(agentId)).toHaveLength(1);
    expect(result.runs.map((r) => r.resolution)).toEqual(['answered']);
    expect(result.status).toBe('completed');
  }, 60_000);
});

describe('where run objects echo the message (rich profile)', () => {
  let rich: TwinflowStack;
  beforeAll(async () => {
    rich = await startTwinflowStack({ profile: 'rich' });
  });
  afterAll(() => rich?.close());

  it('settles a lost start by the marker on its run', async () => {
    const agentId = await rich.newAgent([{ durationMs: 100 }]);
    await rich.control.setFaults({
      api: { slowRate: 1, slowMs: LOST_ANSWER_MS, match: { method: 'POST', path: `${agentId}/runs$` } },
    });
    try {
      const handle = await rich.startAgentRun({
        agentId,
        options: { userMessage: 'Send the weekly email.' },
      });
      const result = await handle.result();
      expect(await rich.runsOf(agentId)).toHaveLength(1);
      expect(result.runs.map((r) => r.resolution)).toEqual(['marker']);
    } finally {
      await rich.control.setFaults({});
    }
  }, 60_000);
});

function innermost(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause) current = current.cause;
  return current;
}
