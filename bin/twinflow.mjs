#!/usr/bin/env node
// The `twinflow` command. twinflow is TypeScript run by tsx like every other service, so there is no build step
// whose output could drift from the source: register tsx's ESM loader in this process, then load the command.
// `dev`, `worker` and `receiver` are long-running processes, not CLI calls: each is its service's own main
// module, which owns the process from then on (signals, exit code), exactly as in `npm start`.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const PROCESSES = {
  dev: '../services/dev-stack/main.ts',
  worker: '../services/worker/main.ts',
  receiver: '../services/receiver/main.ts',
};
const [command, ...rest] = process.argv.slice(2);
const wantsHelp = rest.some((arg) => arg === '--help' || arg === '-h');
if (command && Object.hasOwn(PROCESSES, command) && !wantsHelp) {
  await import(PROCESSES[command]);
} else {
  await import('../services/cli/main.ts');
}
