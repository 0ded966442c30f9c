// Prometheus metrics of one receiver app, on a registry of its own: no global default registry, so two apps
// in one process (tests) never share or double-register counters.
import { Counter, Histogram, Registry } from 'prom-client';

/** What became of a delivery; bounded so labels stay cheap. */
export type DeliveryResult = 'delivered' | 'duplicate' | 'ignored' | 'rejected' | 'unavailable';

export interface ReceiverMetrics {
  registry: Registry;
  deliveries: Counter<'event' | 'result'>;
  verificationFailures: Counter<'reason'>;
  latency: Histogram<'result'>;
  handoffErrors: Counter<'reason'>;
  /** The Twin.ai and Twig routes' own series: their events and failure reasons differ from Twin's. */
  providerDeliveries: Counter<'provider' | 'event' | 'result'>;
  providerVerificationFailures: Counter<'provider' | 'reason'>;
}

export function createReceiverMetrics(): ReceiverMetrics {
  const registry = new Registry();
  return {
    registry,
    deliveries: new Counter({
      name: 'twinflow_receiver_deliveries_total',
      help: 'Webhook deliveries by event (known event types, "unknown", or "unverified") and result',
      labelNames: ['event', 'result'],
      registers: [registry],
    }),
    verificationFailures: new Counter({
      name: 'twinflow_receiver_verification_failures_total',
      help: 'Deliveries refused by signature or timestamp verification, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'twinflow_receiver_delivery_duration_seconds',
      help: 'Time from request to answer for webhook deliveries, hand-off included',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    handoffErrors: new Counter({
      name: 'twinflow_receiver_handoff_errors_total',
      help: 'Temporal hand-offs that failed or timed out (answered 503), by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    providerDeliveries: new Counter({
      name: 'twinflow_receiver_provider_deliveries_total',
      help: 'Twin.ai and Twig webhook deliveries by provider, event (known, "unknown" or "unverified") and result',
      labelNames: ['provider', 'event', 'result'],
      registers: [registry],
    }),
    providerVerificationFailures: new Counter({
      name: 'twinflow_receiver_provider_verification_failures_total',
      help: 'Twin.ai and Twig deliveries refused by their signature check, by provider and reason',
      labelNames: ['provider', 'reason'],
      registers: [registry],
    }),
  };
}
