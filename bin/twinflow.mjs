#!/usr/bin/env node
// The `twinflow` command. The CLI is TypeScript run by tsx like every other service, so there is no build step
// whose output could drift from the source: register tsx's ESM loader in this process, then load the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../services/cli/main.ts');
