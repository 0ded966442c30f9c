// Monitoring check: a pipeline run is findable in Temporal's Web UI by the TwinflowPipeline search attribute.
// Everything is real: a dev server WITH its UI (the suite's shared one is headless), the emulator, twinflow's
// production workers, the demo pipeline run to completion, and Debian's Chromium driven by playwright-core.
// With TWINFLOW_UPDATE_SCREENSHOT=1 its screenshot replaces docs/web-ui.png, the one the README shows.
// No Chromium is a failure with a message saying how to get one, never a skip.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { examplePipelines } from '../../examples/index.js';
import { getPipelineStatus, startPipeline, type ControlDeps } from '../../services/control/pipelines.js';
import { DEMO_INPUT, DEMO_PIPELINE, demoAgents, projectRoles } from '../../services/dev-stack/demo-agents.js';
import { roleAgentEnv } from '../../services/project/config.js';
import { createPipelineRegistry } from '../../services/pipelines/registry.js';
import { loadConfig } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import { freePort } from '../../services/shared/processes.js';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import {
  startTemporalDevServer,
  type RunningDevServer,
} from '../../services/dev-stack/temporal-dev-server.js';
import { createTwinClient } from '../../providers/twin/client/client.js';
import { EmulatorControl } from '../../providers/twin/emulator/control-client.js';
import { startEmulator, type RunningEmulator } from '../../providers/twin/emulator/server.js';
import { createWorkers, type TwinflowWorkers } from '../../services/worker/worker.js';
import { PipelineNameKey } from '../../workflows/search-attributes.js';
import { quietRuntime } from '../support/temporal.js';
import { eventually } from '../support/twinflow-stack.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The committed screenshot is refreshed only on request, so an ordinary test run leaves the tree clean.
const SCREENSHOT = process.env.TWINFLOW_UPDATE_SCREENSHOT
  ? path.join(PROJECT_ROOT, 'docs/web-ui.png')
  : path.join(PROJECT_ROOT, '.data/test/web-ui.png');

function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: run \`npm run setup\` (installs Debian's chromium with apt when root), ` +
        '`apt-get install chromium`, or set CHROMIUM_PATH to a Chromium binary',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM });
}

describe('Temporal Web UI', () => {
  let server: RunningDevServer;
  let emulator: RunningEmulator;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let workers: TwinflowWorkers;
  let running: Promise<void>;
  let control: ControlDeps;

  beforeAll(async () => {
    quietRuntime();
    server = await startTemporalDevServer({
      headless: false,
      port: await freePort(),
      uiPort: await freePort(),
    });
    // No receiver here, so no webhook tells outcomes: the rich profile's run objects do, which is enough for a
    // check of what the Web UI shows (the documented contract is proven everywhere else).
    emulator = await startEmulator({ port: 0, profile: 'rich' });
    const emulatorControl = new EmulatorControl(emulator.url);
    const { api_key: apiKey } = await emulatorControl.createApiKey();
    const agents = demoAgents(projectRoles(createPipelineRegistry(examplePipelines({}))));
    for (const agent of agents)
      await emulatorControl.createAgent({ agent_id: agent.agentId, script: agent.script });

    const config = loadConfig({
      LOG_LEVEL: 'silent',
      TEMPORAL_ADDRESS: server.address,
      TWIN_API_BASE_URL: emulator.url,
      RUN_RECONCILE_AFTER_SECONDS: '1',
    });
    nativeConnection = await NativeConnection.connect({ address: server.address });
    workers = await createWorkers({
      config,
      connection: nativeConnection,
      clients: { twin: createTwinClient({ baseUrl: emulator.url, apiKey, timeoutMs: 10_000 }) },
      logger: createLogger('web-ui-test', 'silent'),
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    running = workers.run();
    connection = await Connection.connect({ address: server.address });
    const registry = createPipelineRegistry(examplePipelines(roleAgentEnv(agents, {})));
    control = { client: new Client({ connection }), registry, taskQueue: config.TEMPORAL_TASK_QUEUE };
  });

  afterAll(async () => {
    workers?.shutdown();
    await running;
    await nativeConnection?.close();
    await connection?.close();
    await emulator?.close();
    await server?.stop();
  });

  it('finds the finished demo pipeline by its TwinflowPipeline search attribute', async () => {
    const { workflowId, key } = await startPipeline(control, { name: DEMO_PIPELINE, input: DEMO_INPUT });
    const status = await eventually(
      'the demo pipeline to finish',
      async () => {
        const current = await getPipelineStatus(control, { name: DEMO_PIPELINE, key });
        return current.execution === 'RUNNING' ? undefined : current;
      },
      60_000,
    );
    expect(status.state?.status).toBe('succeeded');

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const query = `${PipelineNameKey.name}="${DEMO_PIPELINE}"`;
      const url = `${server.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
      // Visibility is eventually consistent: reload until the run is listed.
      const link = page.getByText(workflowId, { exact: true }).first();
      await eventually(
        'the run to be listed in the Web UI',
        async () => {
          await page.goto(url, { waitUntil: 'networkidle' });
          const shown = await link.waitFor({ state: 'visible', timeout: 5_000 }).then(
            () => true,
            () => false,
          );
          return shown ? true : undefined;
        },
        60_000,
      );
      await page.screenshot({ path: SCREENSHOT, fullPage: false });
      expect(await link.isVisible()).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
