// Wires the emulator's parts together once per instance (no module-level state, so tests can run several
// emulators side by side): the store and its optional state file, the run engine, the webhook dispatcher, the
// scheduler and the fault injector.
import type { Logger } from 'pino';
import { FaultInjector } from './faults.js';
import { loadStateFile, StateFileWriter } from './persistence.js';
import type { ProfileRules } from './profile.js';
import { RunEngine } from './run-lifecycle.js';
import { Scheduler } from './schedules.js';
import { Store } from './store.js';
import { WebhookDispatcher, type RetryPolicy } from './webhook-delivery.js';

export interface CoreOptions {
  profile: ProfileRules;
  stateFile?: string;
  seed: number;
  retry: RetryPolicy;
  logger: Logger;
}

export interface EmulatorCore {
  profile: ProfileRules;
  store: Store;
  runs: RunEngine;
  webhooks: WebhookDispatcher;
  schedules: Scheduler;
  faults: FaultInjector;
  logger: Logger;
  /** Forgets everything: state, timers, pending deliveries, faults. */
  reset(): void;
  /** Stops every timer and delivery and writes the last state; unfinished runs stay unfinished on disk. */
  shutdown(): Promise<void>;
}

export async function createCore(options: CoreOptions): Promise<EmulatorCore> {
  const { logger, profile } = options;
  let writer: StateFileWriter | undefined;
  const store = new Store(() => writer?.scheduleSave());
  const faults = new FaultInjector(options.seed, profile);
  const webhooks = new WebhookDispatcher(store, faults, options.retry, logger);
  const runs = new RunEngine(store, (run, event) => webhooks.dispatch(run, event), profile, logger);
  const schedules = new Scheduler(
    store,
    (agent) => runs.start(agent, { run_mode: 'run', trigger: 'schedule' }),
    logger,
  );

  if (options.stateFile) {
    const snapshot = await loadStateFile(options.stateFile);
    if (snapshot) store.load(snapshot);
    writer = new StateFileWriter(options.stateFile, () => store.snapshot(), logger);
    logger.info(
      { stateFile: options.stateFile, loaded: snapshot !== undefined },
      'emulator state file in use',
    );
  }
  runs.resumeAll();
  schedules.syncAll();

  const stopActivity = (clearLog: boolean) => {
    schedules.stopAll();
    runs.stopAll();
    webhooks.cancelAll(clearLog);
  };

  return {
    profile,
    store,
    runs,
    webhooks,
    schedules,
    faults,
    logger,
    reset() {
      stopActivity(true);
      faults.configure({});
      store.clear();
    },
    async shutdown() {
      stopActivity(false);
      await writer?.flush();
    },
  };
}
