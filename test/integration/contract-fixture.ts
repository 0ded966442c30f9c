// Set-up shared by the client contract tests: the real emulator in-process with its first API key issued by the
// control API (emulator-fixture.ts), and the real Twin client pointed at it over HTTP. The contract tests talk to
// Twin through the client only; the control API is used to arrange and to look behind the scenes.
import { expect } from 'vitest';
import { createTwinClient, type TwinClient } from '../../providers/twin/client/client.js';
import { TwinApiError } from '../../providers/twin/client/errors.js';
import type { EmulatorOptions } from '../../providers/twin/emulator/server.js';
import { startFixture, type EmulatorFixture } from './emulator-fixture.js';

/** Generous: only the timeout contract test wants a short one, and it asks for its own client. */
const DEFAULT_TIMEOUT_MS = 10_000;

export interface ContractFixture extends EmulatorFixture {
  twin: TwinClient;
  /** Another client on the same emulator, e.g. with another key, a short timeout or a rewriting fetch. */
  clientWith(options: { apiKey?: string; timeoutMs?: number; fetch?: typeof fetch }): TwinClient;
}

export async function startContract(options: EmulatorOptions = {}): Promise<ContractFixture> {
  const fx = await startFixture(options);
  const clientWith: ContractFixture['clientWith'] = ({
    apiKey = fx.apiKey,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    fetch,
  }) => createTwinClient({ baseUrl: fx.emulator.url, apiKey, timeoutMs, fetch });
  return { ...fx, twin: clientWith({}), clientWith };
}

/** The TwinApiError a call rejects with; fails the test if it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<TwinApiError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(TwinApiError);
  return error as TwinApiError;
}
