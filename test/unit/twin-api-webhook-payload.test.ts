// The webhook body as Twin sends it (seed 001, "Webhook payload"), and as it may come in practice: optional
// fields as null, fields no document names, opaque UUIDv7 IDs.
import { describe, expect, it } from 'vitest';
import {
  observationOfWebhook,
  webhookPayloadSchema,
} from '../../providers/twin/vocabulary/webhook-payload.js';

const AGENT = '019cbf0d-76f6-70e1-b106-9150e93b6e0f';
const RUN = '019cbf0e-1a2b-7c3d-8e4f-5a6b7c8d9e0f';

const delivery = (event: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  event,
  timestamp: '2026-03-11T14:32:15Z',
  data: { run_id: RUN, agent_id: AGENT, ...data },
  ...extra,
});

describe('webhookPayloadSchema', () => {
  it('reads the documented example', () => {
    const body = delivery('run.completed', {
      status: 'completed',
      outcome: 'success',
      finished_at: '2026-03-11T14:32:15Z',
    });
    expect(webhookPayloadSchema.parse(body)).toEqual(body);
  });

  it('reads outcome: null and finished_at: null as absent', () => {
    const parsed = webhookPayloadSchema.parse(
      delivery('run.started', { status: 'in_progress', outcome: null, finished_at: null }),
    );
    expect(parsed.data.outcome).toBeUndefined();
    expect(parsed.data.finished_at).toBeUndefined();
    expect(observationOfWebhook(parsed)).toMatchObject({ outcome: undefined, finishedAt: undefined });
  });

  it('accepts fields no document names, at the top and in data', () => {
    const body = delivery('run.paused', { status: 'paused', run_number: 3 }, { delivery_attempt: 2 });
    expect(webhookPayloadSchema.safeParse(body).success).toBe(true);
  });

  it('keeps UUIDv7 IDs as they came', () => {
    const parsed = webhookPayloadSchema.parse(delivery('run.started', { status: 'in_progress' }));
    expect(observationOfWebhook(parsed)).toMatchObject({ runId: RUN, agentId: AGENT });
  });

  it('still refuses a present outcome that is not one of the documented words', () => {
    const body = delivery('run.completed', { status: 'completed', outcome: 'great' });
    expect(webhookPayloadSchema.safeParse(body).success).toBe(false);
  });
});
