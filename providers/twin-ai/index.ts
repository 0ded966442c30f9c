// The Twin.ai provider's public surface below Temporal: the client, its errors and the webhook check. The emulator
// is imported from ./emulator/server.js by tests and the dev stack only, never by product code.
export {
  TwinAiClient,
  TWIN_AI_DEFAULT_BASE_URL,
  TWIN_AI_API_KEY_SHAPE,
  type TwinAiClientOptions,
} from './client.js';
export {
  TwinAiApiError,
  TwinAiInputError,
  TwinAiAnswerLimitError,
  TwinAiUnconfirmedError,
  TWIN_AI_ERROR_CODES,
  type TwinAiLocalErrorCode,
} from './errors.js';
export { TWIN_AI_ENDPOINTS, type TwinAiEndpointName } from './endpoints.js';
export { DEFAULT_TWIN_AI_RETRY, type TwinAiRetryPolicy } from './retry-policy.js';
export type { RequestOptions, RetryEvent } from './transport.js';
export {
  TWIN_AI_LIMITS,
  KB_DOC_TYPES,
  ESCALATION_FILTERS,
  type KbDocType,
  type AskRequest,
  type ListDocsParams,
  type CreateDocRequest,
  type ListEscalationsParams,
} from './requests.js';
export * from './schemas.js';
export {
  verifyTwinAiWebhook,
  signTwinAiWebhook,
  TwinAiWebhookError,
  TWIN_AI_SIGNATURE_HEADER,
  TWIN_AI_WEBHOOK_EVENTS,
  TWIN_AI_WEBHOOK_MAX_BYTES,
  type TwinAiWebhookEvent,
  type TwinAiWebhookEventType,
  type TwinAiWebhookFailure,
  type TwinAiWebhookHeaders,
  type VerifyTwinAiWebhookOptions,
} from './webhook.js';
