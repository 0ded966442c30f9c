// The body Twin POSTs to a webhook URL (seed 001, "Webhook payload"). The receiver validates it after the
// signature check; the emulator builds it. One schema so both sides agree byte for byte on the shape. Fields
// beyond the documented ones are accepted (and dropped): Twin may add some to a delivery at any time.
import { z } from 'zod';
import { OUTCOMES, WEBHOOK_EVENTS, statusOfWebhookEvent, type RunObservation } from './run-status.js';
import { nullAsAbsent } from './schemas.js';

const isoTimestamp = z
  .string()
  .refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO-8601 timestamp');

export const webhookPayloadSchema = z.object({
  event: z.enum(WEBHOOK_EVENTS),
  timestamp: isoTimestamp,
  data: z.object({
    run_id: z.string().min(1).max(256),
    agent_id: z.string().min(1).max(256),
    status: z.enum(['in_progress', 'completed', 'error', 'stopped', 'paused']),
    /** Seed 001: present on run.completed; may come as null on other events, which means absent. */
    outcome: nullAsAbsent(z.enum(OUTCOMES)),
    /** Seed 001: present on terminal events; may come as null on others, which means absent. */
    finished_at: nullAsAbsent(isoTimestamp),
  }),
});

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

export function observationOfWebhook(payload: WebhookPayload): RunObservation {
  return {
    runId: payload.data.run_id,
    agentId: payload.data.agent_id,
    status: statusOfWebhookEvent(payload.event),
    outcome: payload.data.outcome,
    finishedAt: payload.data.finished_at,
    observedAt: payload.timestamp,
    source: 'webhook',
  };
}
