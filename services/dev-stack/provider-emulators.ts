// The local stack's Twin.ai and Twig: for each platform whose API key the user has not set, the stack runs its
// emulator (providers/<name>/emulator/main.ts) with a key and a webhook signing secret generated for this start,
// pointed at the receiver's route for that platform, and hands the same key to the worker and the same secret to
// the receiver. A platform with a key of the user's own is left alone: the worker talks to it directly.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../shared/config.js';
import { httpOk, waitUntil } from './readiness.js';
import type { StackSettings } from './settings.js';
import type { StackLog } from './stack-log.js';
import { nodeService, type SupervisedService } from './supervisor.js';

interface ProviderEmulatorSpec {
  name: 'twin-ai' | 'twig';
  label: string;
  keyVariable: 'TWIN_AI_API_KEY' | 'TWIG_API_KEY';
  baseUrlVariable: 'TWIN_AI_BASE_URL' | 'TWIG_BASE_URL';
  secretsVariable: 'TWIN_AI_WEBHOOK_SECRETS' | 'TWIG_WEBHOOK_SECRETS';
  port: (config: Config) => number;
  /** How its main.ts is told the port and where to deliver webhooks. */
  portVariable: string;
  webhookUrlVariable: string;
  newKey: () => string;
  webhookPath: string;
  /** An authenticated read that answers 200 once the emulator serves. */
  readyPath: string;
  extraEnv?: Record<string, string>;
}

const hex = () => randomBytes(16).toString('hex');

/** What the demo's Twin.ai answers: policy questions about refunds are unsure and escalate to a person. */
const DEMO_TWIN_AI_RULES = [
  {
    match: 'refund',
    answer: {
      response: 'Refunds after 30 days need a manager: the policy allows them only for defective items.',
      confidence: 0.42,
      escalateReason: 'Refund outside the 30-day window',
      sources: ['Refund policy'],
    },
  },
  {
    match: 'policy',
    answer: {
      response: 'Yes, the policy allows this answer.',
      confidence: 0.93,
      sources: ['Support policy'],
    },
  },
];

const SPECS: readonly ProviderEmulatorSpec[] = [
  {
    name: 'twin-ai',
    label: 'Twin.ai emulator',
    keyVariable: 'TWIN_AI_API_KEY',
    baseUrlVariable: 'TWIN_AI_BASE_URL',
    secretsVariable: 'TWIN_AI_WEBHOOK_SECRETS',
    port: (config) => config.TWIN_AI_EMULATOR_PORT,
    portVariable: 'TWIN_AI_EMULATOR_PORT',
    webhookUrlVariable: 'TWIN_AI_EMULATOR_WEBHOOK_URL',
    newKey: () => `twin_live_sk_${hex()}`,
    webhookPath: '/webhooks/twin-ai',
    readyPath: '/v1/kb',
    extraEnv: { TWIN_AI_EMULATOR_RULES: JSON.stringify(DEMO_TWIN_AI_RULES) },
  },
  {
    name: 'twig',
    label: 'Twig emulator',
    keyVariable: 'TWIG_API_KEY',
    baseUrlVariable: 'TWIG_BASE_URL',
    secretsVariable: 'TWIG_WEBHOOK_SECRETS',
    port: (config) => config.TWIG_EMULATOR_PORT,
    portVariable: 'TWIG_EMULATOR_PORT',
    webhookUrlVariable: 'TWIG_EMULATOR_WEBHOOK_URL',
    newKey: () => `twigsk_test_${hex()}`,
    webhookPath: '/webhooks/twig',
    readyPath: '/api/v1/kb',
  },
];

/** One emulator the stack runs, and what the other services need to know of it. */
export interface ProviderEmulator {
  label: string;
  url: string;
  service: SupervisedService;
  /** Key and address for the worker, signing secret for the receiver. */
  env: Record<string, string>;
  ready(log: StackLog, aborted: () => boolean): Promise<void>;
}

/** The emulators this start runs: one per platform without a key of the user's own. */
export function providerEmulators(settings: StackSettings, baseEnv: NodeJS.ProcessEnv): ProviderEmulator[] {
  const { config } = settings;
  const host = config.EMULATOR_HOST === '0.0.0.0' ? '127.0.0.1' : config.EMULATOR_HOST;
  return SPECS.filter((spec) => !config[spec.keyVariable]).map((spec) => {
    const port = spec.port(config);
    const url = `http://${host}:${port}`;
    const key = spec.newKey();
    const env = {
      [spec.keyVariable]: key,
      [spec.baseUrlVariable]: url,
      [spec.secretsVariable]: `whsec_${hex()}`,
    };
    const service = nodeService({
      name: spec.name,
      entry: path.join(settings.packageRoot, 'providers', spec.name, 'emulator', 'main.ts'),
      cwd: settings.project.dir,
      env: {
        ...baseEnv,
        ...env,
        ...spec.extraEnv,
        EMULATOR_HOST: config.EMULATOR_HOST,
        [spec.portVariable]: String(port),
        [spec.webhookUrlVariable]: `${settings.receiver.url}${spec.webhookPath}`,
      },
    });
    const ready = (log: StackLog, aborted: () => boolean) =>
      waitUntil(() => httpOk(`${url}${spec.readyPath}`, { authorization: `Bearer ${key}` }), {
        what: `the ${spec.label}`,
        log,
        aborted,
      });
    return { label: spec.label, url, service, env, ready };
  });
}
