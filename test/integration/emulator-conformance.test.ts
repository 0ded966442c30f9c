// Conformance of the documented profile with seed 001: every run surface carries only keys seed 001 documents
// for it, so nothing in twinflow can come to rely on a field the real Twin does not promise. The allow-lists are
// seed 001's examples and tables; the event kinds are not documented at all (only `started {}`), so their
// payloads are held to the emulator's own small vocabulary, which never includes an outcome or a summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENTS } from '../../providers/twin/vocabulary/run-status.js';
import {
  startFixture,
  startReceiver,
  waitFor,
  type EmulatorFixture,
  type WebhookReceiver,
} from './emulator-fixture.js';

const LIST_PAGE = ['runs', 'total_runs', 'page', 'page_size'];
const LIST_ENTRY = ['run_id', 'agent_id', 'status', 'started_at', 'finished_at'];
const START_ANSWER = ['run'];
const STARTED_RUN = [
  'run_id',
  'agent_id',
  'status',
  'started_at',
  'is_finished',
  'is_paused',
  'run_number',
  'policy_type',
];
const EVENT_PAGE = ['events'];
const EVENT_ITEM = ['index', 'event'];
const MESSAGE = ['role', 'text', 'content'];
const EVENT_PAYLOAD: Record<string, string[]> = {
  started: [],
  tool_call: ['name', 'arguments'],
  paused: [],
  resumed: [],
  assistant_message: MESSAGE,
  message: MESSAGE,
  output: MESSAGE,
  finished: [],
  error: ['message'],
  stopped: ['reason'],
};
const WEBHOOK_BODY = ['event', 'timestamp', 'data'];
const WEBHOOK_DATA = ['run_id', 'agent_id', 'status'];
const TERMINAL_EVENTS = ['run.completed', 'run.failed', 'run.stopped'];

function expectOnly(value: object, allowed: readonly string[], surface: string): void {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key));
  expect(extra, `${surface} carries keys seed 001 does not document`).toEqual([]);
}

let fx: EmulatorFixture;
let hooks: WebhookReceiver;
let agentId: string;
const starts: object[] = [];
const runIds: string[] = [];

/** One run in every state a run can end in or rest in, with each kind of output message. */
beforeAll(async () => {
  fx = await startFixture();
  hooks = await startReceiver();
  agentId = (
    await fx.control.createAgent({
      script: [
        { durationMs: 10, pauseAfterMs: 2, pauseForMs: 2, output: 'done', outcome: 'partial', summary: 'x' },
        { durationMs: 10, output: 'done', outputEvent: 'message', outputField: 'parts' },
        { durationMs: 10, output: 'done', outputEvent: 'output', outputField: 'content' },
        { durationMs: 10, result: 'failed', reason: 'boom', summary: 'not to be served' },
        { result: 'never', pauseAfterMs: 0 },
        { result: 'never' },
      ],
    })
  ).agent_id;
  await fx.api('POST', `/v1/agents/${agentId}/webhooks`, { url: hooks.url, events: WEBHOOK_EVENTS });
  for (let i = 0; i < 6; i++) {
    const res = await fx.startRun(agentId, { user_message: `run ${i}`, run_mode: i === 5 ? 'build' : 'run' });
    starts.push(res.body);
    runIds.push(res.body.run.run_id);
  }
  await fx.api('POST', `/v1/agents/${agentId}/runs/${runIds[5]}/cancel`, { reason: 'enough' });
  await waitFor(async () => {
    const runs = await fx.control.runs(agentId);
    return runs.slice(0, 4).every((r) => r.is_finished) && runs[4]?.is_paused;
  });
  // Six run.started, four endings, two run.paused (one resumes), one run.stopped.
  await waitFor(() => hooks.requests.length >= 6 + 4 + 2 + 1);
});
afterAll(async () => {
  await fx.close();
  await hooks.close();
});

describe('documented profile: run surfaces carry only what seed 001 documents', () => {
  it('start answers', () => {
    for (const body of starts) {
      expectOnly(body, START_ANSWER, 'start answer');
      expectOnly((body as { run: object }).run, STARTED_RUN, 'started run');
    }
  });

  it('run list pages and their entries, in every status', async () => {
    const page = (await fx.api('GET', `/v1/agents/${agentId}/runs`)).body;
    expectOnly(page, LIST_PAGE, 'run list page');
    expect(typeof page.total_runs).toBe('string');
    const statuses = new Set<string>();
    for (const entry of page.runs) {
      expectOnly(entry, LIST_ENTRY, 'run list entry');
      expect(entry.finished_at !== undefined).toBe(['finished', 'error', 'stopped'].includes(entry.status));
      statuses.add(entry.status);
    }
    expect(statuses).toEqual(new Set(['finished', 'error', 'paused', 'stopped']));
  });

  it('event pages, their items and each kind of event', async () => {
    const seen = new Set<string>();
    for (const runId of runIds) {
      const page = (await fx.api('GET', `/v1/agents/${agentId}/runs/${runId}/events`)).body;
      expectOnly(page, EVENT_PAGE, 'event page');
      for (const item of page.events) {
        expectOnly(item, EVENT_ITEM, 'event item');
        const [kind, ...more] = Object.keys(item.event);
        expect(more).toEqual([]);
        const allowed = EVENT_PAYLOAD[kind ?? ''];
        expect(allowed, `undocumented event kind ${kind}`).toBeDefined();
        expectOnly(item.event[kind ?? ''], allowed ?? [], `${kind} event`);
        seen.add(kind ?? '');
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(EVENT_PAYLOAD).sort());
  });

  it('webhook payloads: outcome on run.completed only, finished_at on terminal events only', () => {
    for (const { json } of hooks.requests) {
      expectOnly(json, WEBHOOK_BODY, 'webhook body');
      const allowed = [
        ...WEBHOOK_DATA,
        ...(json.event === 'run.completed' ? ['outcome'] : []),
        ...(TERMINAL_EVENTS.includes(json.event) ? ['finished_at'] : []),
      ];
      expectOnly(json.data, allowed, `${json.event} data`);
    }
    const completed = hooks.requests.filter((q) => q.json.event === 'run.completed');
    expect(completed.map((q) => q.json.data.outcome).sort()).toEqual(['partial', 'success', 'success']);
  });
});
