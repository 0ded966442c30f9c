// The Twig provider's public surface below Temporal: the client, its errors and budgets, and the webhook check.
// The emulator is imported from ./emulator/server.js by tests and the dev stack only, never by product code.
export { TwigClient, TWIG_DEFAULT_BASE_URL, TWIG_API_KEY_SHAPE, type TwigClientOptions } from './client.js';
export { TwigApiError, TWIG_ERROR_CODES, type TwigLocalErrorCode } from './errors.js';
export { TWIG_ENDPOINTS, TWIG_SCOPES, type TwigScope, type TwigEndpointName } from './endpoints.js';
export { TWIG_RATE_LIMITS, type RateLimit } from './rate-budget.js';
export { DEFAULT_TWIG_RETRY, TWIG_RETRYABLE_STATUSES, type TwigRetryPolicy } from './retry-policy.js';
export type { RequestOptions } from './transport.js';
export * from './requests.js';
export * from './schemas.js';
export {
  verifyTwigWebhook,
  signTwigWebhook,
  TwigWebhookError,
  TWIG_SIGNATURE_HEADER,
  TWIG_WEBHOOK_EVENTS,
  type TwigWebhookEvent,
  type TwigWebhookEventType,
  type TwigWebhookFailure,
  type WebhookHeaders,
  type VerifyOptions,
} from './webhook.js';
