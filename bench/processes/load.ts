// The load generator, a process of its own so its CPU never counts against the server under test. It stays
// up for several rounds and runs autocannon for each on request (IPC). Every request is a distinct webhook
// delivery signed the way Twin signs it (this signer is independent of the receiver's verifier), so the
// hand-off sees fresh run IDs and both sides of a comparison pay the same client-side cost.
import { createHmac, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { z } from 'zod';

const runRequestSchema = z.object({
  type: z.literal('run'),
  url: z.url(),
  connections: z.number().int().positive(),
  durationSeconds: z.number().positive(),
  secret: z.string().min(1),
  agentId: z.string().min(1),
});
export type LoadRequest = z.infer<typeof runRequestSchema>;

export interface LoadResult {
  type: 'result';
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  durationSeconds: number;
}

const prefix = `run_b${randomBytes(4).toString('hex')}`;
let counter = 0;

function signedDelivery(secret: string, agentId: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    event: 'run.started',
    timestamp: new Date().toISOString(),
    data: { run_id: `${prefix}_${++counter}`, agent_id: agentId, status: 'in_progress' },
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-cobb-event': 'run.started',
      'x-cobb-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
  };
}

async function runLoad(request: LoadRequest): Promise<LoadResult> {
  const url = new URL(request.url);
  const result = await autocannon({
    url: url.origin,
    connections: request.connections,
    duration: request.durationSeconds,
    requests: [
      {
        method: 'POST',
        path: url.pathname,
        setupRequest: (req) => ({ ...req, ...signedDelivery(request.secret, request.agentId) }),
      },
    ],
  });
  return {
    type: 'result',
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    durationSeconds: result.duration,
  };
}

process.on('message', (message: unknown) => {
  const request = runRequestSchema.parse(message);
  runLoad(request).then(
    (result) => process.send?.(result),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.once('SIGTERM', () => process.exit(0));
process.send?.({ type: 'ready' });
