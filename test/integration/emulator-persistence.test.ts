import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callApi,
  startFixture,
  startReceiver,
  waitFor,
  type EmulatorFixture,
  type WebhookReceiver,
} from './emulator-fixture.js';
import { EmulatorControl } from '../../providers/twin/emulator/control-client.js';
import { startEmulator, type RunningEmulator } from '../../providers/twin/emulator/server.js';

describe('Twin emulator: persistence across a restart', () => {
  let dir: string;
  let stateFile: string;
  let receiver: WebhookReceiver;
  let first: EmulatorFixture;
  let second: RunningEmulator;
  let agentId: string;
  let runId: string;
  let secret: string;
  let revokedKey: string;
  let fileAtShutdown: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'twin-emulator-'));
    stateFile = join(dir, 'state.json');
    receiver = await startReceiver();
    first = await startFixture({ stateFile });
    agentId = (
      await first.control.createAgent({
        script: [{ durationMs: 400 }, { durationMs: 10, outcome: 'partial' }],
      })
    ).agent_id;
    const hook = await first.api('POST', `/v1/agents/${agentId}/webhooks`, {
      url: receiver.url,
      events: ['run.completed'],
    });
    secret = hook.body.signing_secret;
    const extra = await first.api('POST', '/api/public/v1/access-api-keys', { name: 'to-revoke' });
    revokedKey = extra.body.api_key;
    await first.api('DELETE', `/api/public/v1/access-api-keys/${extra.body.key_id}`);
    runId = (await first.startRun(agentId, { user_message: 'survive me' })).body.run.run_id;
    await first.close();
    fileAtShutdown = await readFile(stateFile, 'utf8');
    second = await startEmulator({ stateFile, port: 0 });
  });

  afterAll(async () => {
    await second.close();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  const api = (method: string, path: string, body?: unknown) =>
    callApi(second.url, first.apiKey, method, path, body);

  it('writes the state on shutdown, with the run still in progress and no usable API key', () => {
    const state = JSON.parse(fileAtShutdown);
    expect(state.runs).toContainEqual(expect.objectContaining({ run_id: runId, status: 'in_progress' }));
    expect(fileAtShutdown).not.toContain(first.apiKey);
  });

  it('keeps API keys working, and revoked ones revoked', async () => {
    expect((await api('GET', '/v1/me')).status).toBe(200);
    expect((await callApi(second.url, revokedKey, 'GET', '/v1/me')).status).toBe(401);
  });

  it('finishes the run that was in flight at shutdown and signs its webhook with the original secret', async () => {
    const [delivery] = await waitFor(() => (receiver.requests.length > 0 ? receiver.requests : undefined));
    expect(delivery?.json.data).toMatchObject({ run_id: runId, status: 'completed', outcome: 'success' });
    const signature = `sha256=${createHmac('sha256', secret)
      .update(delivery?.raw as Buffer)
      .digest('hex')}`;
    expect(delivery?.headers['x-cobb-signature']).toBe(signature);
    const listed = await api('GET', `/v1/agents/${agentId}/runs?filter_run_id=${runId}`);
    expect(listed.body.runs[0]).toMatchObject({ status: 'finished' });
    const [truth] = await new EmulatorControl(second.url).runs(agentId);
    expect(truth).toMatchObject({ run_id: runId, user_message: 'survive me', output: expect.any(String) });
  });

  it('continues the agent script where it stopped', async () => {
    const started = await api('POST', `/v1/agents/${agentId}/runs`, { run_mode: 'run' });
    const control = new EmulatorControl(second.url);
    const run = await waitFor(async () => {
      const found = (await control.runs(agentId)).find((r) => r.run_id === started.body.run.run_id);
      return found?.is_finished ? found : undefined;
    });
    expect(run).toMatchObject({ outcome: 'partial', run_number: 2 });
  });
});
