// The local stack's other platforms (Twin.ai, Twig): for each provider with an emulator spec
// (providers/<name>/provider.ts) whose API key the user has not set, the stack runs its emulator with a key and a
// webhook signing secret generated for this start, pointed at the receiver's route for that platform, and hands
// the same key to the worker and the same secret to the receiver. A platform with a key of the user's own is left alone: the worker talks to it directly.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { EmulatorSpec } from '../../providers/provider.js';
import { PROVIDER_RUNTIMES } from '../../providers/registry.js';
import { httpOk, waitUntil } from './readiness.js';
import type { StackSettings } from './settings.js';
import type { StackLog } from './stack-log.js';
import { nodeService, type SupervisedService } from './supervisor.js';

const hex = () => randomBytes(16).toString('hex');

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
  const specs = Object.entries(PROVIDER_RUNTIMES).flatMap(
    ([name, provider]): (EmulatorSpec & { name: string })[] =>
      'emulator' in provider ? [{ name, ...provider.emulator }] : [],
  );
  return specs
    .filter((spec) => !config[spec.keyVariable])
    .map((spec) => {
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
        entry: path.join(settings.packageRoot, spec.entry),
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
