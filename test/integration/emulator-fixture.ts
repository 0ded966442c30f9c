// Shared set-up for the emulator's integration tests: a running emulator with a key, a plain-fetch caller for
// the public API (deliberately not the Twin client), and a real node:http webhook receiver that records raw bytes.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorControl } from '../../providers/twin/emulator/control-client.js';
import {
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../providers/twin/emulator/server.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert shapes with toMatchObject
  body: any;
}

export async function callApi(
  baseUrl: string,
  apiKey: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (apiKey !== undefined) headers['x-api-key'] = apiKey;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  const json = text !== '' && /json/.test(res.headers.get('content-type') ?? '');
  return { status: res.status, headers: res.headers, body: json ? JSON.parse(text) : text || undefined };
}

/** RFC 9562 version 7 (time-ordered): what real Twin agent and run IDs look like. */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface EmulatorFixture {
  emulator: RunningEmulator;
  control: EmulatorControl;
  apiKey: string;
  api(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** POST …/runs with the run_mode every working integration sends (the documented profile requires it). */
  startRun(agentId: string, body?: object): Promise<ApiResponse>;
  close(): Promise<void>;
}

export async function startFixture(options: EmulatorOptions = {}): Promise<EmulatorFixture> {
  const emulator = await startEmulator({
    webhookRetry: { attempts: 3, baseDelayMs: 20, timeoutMs: 2000 },
    ...options,
  });
  const control = new EmulatorControl(emulator.url);
  const { api_key: apiKey } = await control.createApiKey();
  const api: EmulatorFixture['api'] = (method, path, body) =>
    callApi(emulator.url, apiKey, method, path, body);
  return {
    emulator,
    control,
    apiKey,
    api,
    startRun: (agentId, body = {}) => api('POST', `/v1/agents/${agentId}/runs`, { run_mode: 'run', ...body }),
    close: () => emulator.close(),
  };
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed webhook body, asserted by the tests
  json: any;
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Status to answer for the n-th request (0-based); 200 by default. */
  respondWith(statusOf: (n: number) => number): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let statusOf = (_n: number) => 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const n = requests.length;
      requests.push({
        headers: req.headers,
        raw,
        json: JSON.parse(raw.toString('utf8')),
        receivedAt: Date.now(),
      });
      res.writeHead(statusOf(n)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    respondWith(fn) {
      statusOf = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls until check returns a value other than undefined/false; fails with the last value after timeoutMs. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
