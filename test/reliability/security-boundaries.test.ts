// "Nobody without the signing secret can move a pipeline", end to end: a pipeline waits on a Twin run that
// never ends by itself; forged reports of that run's end (unsigned, signed with other secrets, signatures
// lifted from other bodies, signed bodies altered afterwards) are all refused and the pipeline keeps waiting;
// Twin's genuine report moves it; replaying a genuine report changes nothing, and an old one is refused.
// Also: the worker's Twin client never carries the API key to wherever a redirect points.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline } from '../../services/control/pipelines.js';
import { createTwinClient } from '../../providers/twin/client/client.js';
import { type PipelineState, pipelineStateQuery, pipelineWorkflowId } from '../../workflows/pipeline-api.js';
import {
  runTrackerStateQuery,
  runTrackerWorkflowId,
  type RunTrackerState,
} from '../../providers/twin/workflows/run-tracker-api.js';
import { CHAOS_PIPELINE_NAME } from '../support/chaos-pipelines.js';
import { startChaosStack, type ChaosStack } from '../support/chaos-stack.js';
import {
  deliver,
  listenOnEphemeralPort,
  send,
  sign,
  webhookBody,
  type HttpAnswer,
} from '../support/receiver.js';
import { eventually } from '../support/twinflow-stack.js';

const KEY = 'guarded';

let stack: ChaosStack;
let agentId: string;
let genuineSecret: string;
let runId: string;

const webhookUrl = () => `${stack.receiverUrl}/webhooks/twin`;

async function pipelineState(): Promise<PipelineState> {
  return stack.temporal.client.workflow
    .getHandle(pipelineWorkflowId(CHAOS_PIPELINE_NAME, KEY))
    .query(pipelineStateQuery);
}

async function trackerState(): Promise<RunTrackerState> {
  return stack.temporal.client.workflow.getHandle(runTrackerWorkflowId(runId)).query(runTrackerStateQuery);
}

function endOfRun(
  event: 'run.completed' | 'run.failed' | 'run.stopped',
  timestamp = new Date().toISOString(),
): string {
  return webhookBody({ event, runId, agentId, timestamp, outcome: 'success' });
}

beforeAll(async () => {
  stack = await startChaosStack({
    prefix: 'forgery',
    pipelines: 0,
    runDurationMs: 50,
    profile: 'documented',
  });
  ({ agentId, signingSecret: genuineSecret } = await stack.addAgent('waits', [{ result: 'never' }]));
  const { agentId: finisher } = await stack.addAgent('finishes', [{ durationMs: 50 }]);
  const input = { drafter: agentId, reviewer: finisher, publisher: finisher };
  await startPipeline(stack.controlDeps, { name: CHAOS_PIPELINE_NAME, idempotencyKey: KEY, input });
  runId = await eventually(
    'the draft run to start',
    async () => (await pipelineState()).steps[0]?.runIds[0],
    60_000,
  );
  await eventually(
    'the run tracker to exist',
    async () => ((await trackerState()).status === 'in_progress' ? true : undefined),
    60_000,
  );
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe("a forged report of a run's end", () => {
  it('is refused, whatever its shape, and the pipeline keeps waiting (property)', async () => {
    const event = fc.constantFrom('run.completed' as const, 'run.failed' as const, 'run.stopped' as const);
    const forgery = fc.oneof(
      event.map((e) => ({ body: endOfRun(e), headers: {} })),
      fc
        .tuple(event, fc.stringMatching(/^[0-9a-f]{64}$/))
        .map(([e, hex]) => ({ body: endOfRun(e), headers: { 'X-Cobb-Signature': `sha256=${hex}` } })),
      fc.tuple(event, fc.string({ minLength: 1 })).map(([e, secret]) => {
        const body = endOfRun(e);
        return { body, headers: { 'X-Cobb-Signature': sign(secret, body) } };
      }),
      // A genuine signature lifted from another body (a run.started of the same run).
      event.map((e) => ({
        body: endOfRun(e),
        headers: { 'X-Cobb-Signature': sign(genuineSecret, webhookBody({ runId, agentId })) },
      })),
      // A genuinely signed body changed after signing.
      fc
        .tuple(
          event,
          fc.constantFrom<Array<(body: string) => string>>(
            (b) => `${b} `,
            (b) => b.replace(/}$/, ',"x":1}'),
            (b) => b.replace(`"${runId}"`, `"${runId}0"`),
          ),
        )
        .map(([e, change]) => {
          const original = endOfRun(e);
          return { body: change(original), headers: { 'X-Cobb-Signature': sign(genuineSecret, original) } };
        }),
    );
    await fc.assert(
      fc.asyncProperty(forgery, async ({ body, headers }) => {
        const answer = await send(webhookUrl(), {
          headers: { 'Content-Type': 'application/json', ...headers },
          body,
        });
        expect([400, 401]).toContain(answer.status);
      }),
      { numRuns: 100 },
    );
    const tracker = await trackerState();
    expect(tracker.status).toBe('in_progress');
    expect(tracker.final).toBeUndefined();
    const state = await pipelineState();
    expect(state.steps.map((s) => s.status)).toEqual(['running', 'pending', 'pending']);
    expect((await stack.twin.control.runs()).filter((r) => r.user_message?.includes(KEY))).toHaveLength(1);
  });
});

describe("Twin's genuine report of the end", () => {
  it('moves the pipeline on to its end', async () => {
    await stack.twin.control.moveRun(runId, 'complete', { outcome: 'success' });
    const handle = stack.temporal.client.workflow.getHandle(pipelineWorkflowId(CHAOS_PIPELINE_NAME, KEY));
    const final = (await handle.result()) as PipelineState;
    expect(final.status).toBe('succeeded');
  });
});

describe('a replayed genuine report', () => {
  it('is taken again without changing the tracker or the pipeline', async () => {
    const before = {
      tracker: await trackerState(),
      pipeline: await pipelineState(),
      runs: (await stack.twin.control.runs()).length,
    };
    const answers: HttpAnswer[] = [];
    for (let i = 0; i < 5; i++)
      answers.push(await deliver(webhookUrl(), { secret: genuineSecret, body: endOfRun('run.completed') }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const tracker = await trackerState();
    expect(tracker.applied).toEqual(before.tracker.applied);
    expect(tracker.final).toEqual(before.tracker.final);
    expect(await pipelineState()).toEqual(before.pipeline);
    expect((await stack.twin.control.runs()).length).toBe(before.runs);
  });

  it('is refused once it is older than the replay window', async () => {
    const fourDaysAgo = new Date(Date.now() - 4 * 24 * 3600 * 1000).toISOString();
    const answer = await deliver(webhookUrl(), {
      secret: genuineSecret,
      body: endOfRun('run.failed', fourDaysAgo),
    });
    expect(answer.status).toBe(400);
    expect((await trackerState()).final?.status).toBe('completed');
  });
});

describe('the Twin API key', () => {
  it('is not carried to the target of a redirect', async () => {
    const seenByTarget: Array<string | undefined> = [];
    const target = await listenOnEphemeralPort((req, res) => {
      seenByTarget.push(req.headers['x-api-key'] as string | undefined);
      res.end('{}');
    });
    const redirector = await listenOnEphemeralPort((_req, res) => {
      res.writeHead(307, { location: `${target.url}/v1/agents/a/runs` }).end();
    });
    try {
      const key = `tk_${createHmac('sha256', 'k').update(String(Date.now())).digest('hex')}`;
      const twin = createTwinClient({ baseUrl: redirector.url, apiKey: key, timeoutMs: 5_000 });
      await expect(twin.listRuns('a')).rejects.toThrow();
      expect(seenByTarget).toEqual([]);
    } finally {
      await redirector.close();
      await target.close();
    }
  });
});
