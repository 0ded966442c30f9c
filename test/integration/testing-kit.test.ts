// The testing kit as a user's project meets it: `twinflow/testing` against the fixture project under
// test/fixtures/project, on environments of the kit's own (its dev server, its time-skipping server, its
// emulator, workers and receiver), never the suite's shared ones.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../../testing.js';
import { RELEASE_AGENT } from '../fixtures/project/pipelines/release.js';

const CONFIG = path.join(import.meta.dirname, '../fixtures/project/twinflow.config.ts');
/** Starting an environment bundles the workflows and starts a server: tens of seconds on two cores. */
const START_TIMEOUT_MS = 180_000;

describe('a dev-server environment', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await createTestEnvironment({ config: CONFIG });
  }, START_TIMEOUT_MS);
  afterAll(() => env?.close());

  it('runs a two-step pipeline to success and hands the first step’s output to the second', async () => {
    const writer = await env.agent([{ output: 'Temporal keeps the pipeline going.' }]);
    const reviewer = await env.agent([{ output: 'Approved.' }]);

    const state = await env.runPipeline('summarise', { topic: 'durability', writer, reviewer });

    expect(state.status).toBe('succeeded');
    expect(state.steps.map((s) => [s.id, s.status, s.output])).toEqual([
      ['write', 'succeeded', 'Temporal keeps the pipeline going.'],
      ['review', 'succeeded', 'Approved.'],
    ]);
    const [review] = await env.runsOf(reviewer);
    expect(review?.user_message).toContain('Review this summary: Temporal keeps the pipeline going.');
  });

  it('fails the pipeline when a scripted run fails, and the state names the step', async () => {
    const writer = await env.agent([{ output: 'A summary.' }]);
    const reviewer = await env.agent([{ result: 'failed', reason: 'the reviewer crashed' }]);

    const state = await env.runPipeline('summarise', { topic: 'failure', writer, reviewer });

    expect(state.status).toBe('failed');
    expect(state.failedStep).toBe('review');
    expect(state.steps.find((s) => s.id === 'review')).toMatchObject({
      status: 'failed',
      runStatus: 'failed',
    });
  });

  it('holds an approval step until it is approved through the handle', async () => {
    await env.agent([{ output: 'Notes for 1.2.0.' }, { output: 'Published.' }], { id: RELEASE_AGENT });

    const handle = await env.startPipeline('release', { version: '1.2.0' });
    const decided = await handle.approve('sign-off', 'release-manager');
    const state = await handle.result();

    expect(decided).toMatchObject({ status: 'succeeded', decidedBy: 'release-manager' });
    expect(decided.prompt).toBe('Publish these notes? Notes for 1.2.0.');
    expect(state.status).toBe('succeeded');
    expect(state.steps.find((s) => s.id === 'publish')?.output).toBe('Published.');
  });

  it('starts exactly one Twin run per agent step', async () => {
    const writer = await env.agent();
    const reviewer = await env.agent();

    await env.runPipeline('summarise', { topic: 'counting', writer, reviewer });

    expect(await env.runsOf(writer)).toHaveLength(1);
    expect(await env.runsOf(reviewer)).toHaveLength(1);
  });

  it('refuses input the pipeline’s schema rejects, before anything starts', async () => {
    await expect(env.runPipeline('summarise', { writer: 'agent_x' })).rejects.toThrow(/topic/);
  });
});

describe('a time-skipping environment', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await createTestEnvironment({ config: CONFIG, timeSkipping: true });
  }, START_TIMEOUT_MS);
  afterAll(() => env?.close());

  it('fires a one-day wait in real seconds, and the step after it runs', async () => {
    const agent = await env.agent([{ output: 'Morning.' }]);
    const startedAt = Date.now();

    const state = await env.runPipeline('overnight', { agent });

    expect(state.status).toBe('succeeded');
    expect(Date.parse(state.finishedAt ?? '') - Date.parse(state.startedAt)).toBeGreaterThanOrEqual(
      86_400_000,
    );
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    expect(await env.runsOf(agent)).toHaveLength(1);
  });
});
