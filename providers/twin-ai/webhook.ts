// Verifies a Twin.ai webhook delivery, framework-free. The seed shows the header (`Twin-Signature: sha256=abc123...`)
// and its own check: HMAC-SHA256 of the body with the secret, hex, compared with the header as `sha256=<hex>`. So
// exactly that is accepted: the `sha256=` prefix and 64 lowercase hex digits, which is all the seed's own verifier
// would pass. A bare digest, uppercase, base64 or two signatures fail closed (A12). Unlike the seed's snippet, which
// throws on a length mismatch inside timingSafeEqual, the header's shape is checked first and the comparison is
// between two 32-byte digests, so its time says nothing about the secret. The body is hashed only below a size cap,
// so a huge body costs no HMAC. Errors say why in broad terms, never which secret or byte was wrong.
import { z } from 'zod';
import { lacksUsableSecret, matchesAnySecret, signHmacSha256Hex } from '../shared/hmac-signature.js';
import { TWIN_AI_EVENTS } from './workflows/twin-ai-events.js';

export const TWIN_AI_SIGNATURE_HEADER = 'twin-signature';

/** The one event the seed shows: "whenever shouldEscalate is true". */
export const TWIN_AI_WEBHOOK_EVENTS = TWIN_AI_EVENTS.types;
export type TwinAiWebhookEventType = (typeof TWIN_AI_WEBHOOK_EVENTS)[number];

/** Default body cap: the seed's event is a few hundred bytes (a ≤ 2,000-character question and a reason). */
export const TWIN_AI_WEBHOOK_MAX_BYTES = 256 * 1024;

const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

export type TwinAiWebhookFailure =
  | 'no_secret'
  | 'body_too_large'
  | 'missing_signature'
  | 'duplicate_signature'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'invalid_json'
  | 'invalid_payload'
  | 'unknown_event';

const UNAUTHENTICATED: ReadonlySet<TwinAiWebhookFailure> = new Set([
  'no_secret',
  'body_too_large',
  'missing_signature',
  'duplicate_signature',
  'malformed_signature',
  'signature_mismatch',
]);

/** Thrown by verifyTwinAiWebhook; `reason` says which check failed. */
export class TwinAiWebhookError extends Error {
  override name = 'TwinAiWebhookError';
  /**
   * True when the signature checked out and only the payload was refused (`invalid_json`, `invalid_payload`,
   * `unknown_event`): the delivery is Twin's, so a receiver may acknowledge it rather than have it sent again
   * unchanged. False means it may be forged: answer 401 and act on nothing.
   */
  readonly authentic: boolean;

  constructor(
    readonly reason: TwinAiWebhookFailure,
    detail: string,
  ) {
    super(`Twin.ai webhook refused (${reason}): ${detail}`);
    this.authentic = !UNAUTHENTICATED.has(reason);
  }
}

const shown = <T extends z.ZodType>(schema: T) => schema.nullish();

/** The seed's body, flat (no `data` envelope). `escalationId` is required: it is the only key to dedupe on. */
const escalationCreatedSchema = z.looseObject({
  event: z.literal('escalation.created'),
  escalationId: z.string().min(1),
  question: shown(z.string()),
  askedBy: shown(z.string()),
  confidence: shown(z.number().min(0).max(1)),
  reason: shown(z.string()),
  timestamp: shown(z.string()),
});

/** A verified delivery, narrowed by `event`; fields beyond the seed's survive as extras. */
export type TwinAiWebhookEvent = z.infer<typeof escalationCreatedSchema>;

/** Node's IncomingHttpHeaders, a fetch Headers object, or a plain record; names are matched case-insensitively. */
export type TwinAiWebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyTwinAiWebhookOptions {
  /** Bodies larger than this are refused unhashed (`body_too_large`); default TWIN_AI_WEBHOOK_MAX_BYTES. */
  maxBytes?: number;
}

function headerValue(headers: TwinAiWebhookHeaders, name: string): string | string[] | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const keys = Object.keys(headers).filter((k) => k.toLowerCase() === name);
  if (keys.length > 1) return keys.flatMap((k) => headers[k] ?? []);
  return keys[0] === undefined ? undefined : headers[keys[0]];
}

/** `sha256=<hex>` as Twin sends it; `bare` (the digest alone) exists so tests can show it is refused. */
export function signTwinAiWebhook(
  rawBody: Uint8Array,
  secret: string,
  style: 'prefixed' | 'bare' = 'prefixed',
): string {
  return signHmacSha256Hex(rawBody, secret, style);
}

function checkSignature(rawBody: Uint8Array, header: string | string[] | undefined, secrets: string[]): void {
  if (header === undefined || header === '' || (Array.isArray(header) && header.length === 0)) {
    throw new TwinAiWebhookError('missing_signature', `no ${TWIN_AI_SIGNATURE_HEADER} header`);
  }
  // Node joins a repeated custom header with ", " and fetch's Headers does too; an array comes from raw records.
  if (Array.isArray(header) || header.includes(',')) {
    throw new TwinAiWebhookError('duplicate_signature', `more than one ${TWIN_AI_SIGNATURE_HEADER} value`);
  }
  const hex = SIGNATURE.exec(header.trim())?.[1];
  if (hex === undefined) {
    throw new TwinAiWebhookError(
      'malformed_signature',
      `${TWIN_AI_SIGNATURE_HEADER} must be "sha256=" and 64 lowercase hex digits`,
    );
  }
  if (!matchesAnySecret(rawBody, hex, secrets))
    throw new TwinAiWebhookError('signature_mismatch', 'the signature does not match the body');
}

function parsePayload(rawBody: Uint8Array): TwinAiWebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(rawBody).toString('utf8'));
  } catch {
    throw new TwinAiWebhookError('invalid_json', 'the body is not JSON');
  }
  const event = (json as { event?: unknown } | null)?.event;
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof event !== 'string') {
    throw new TwinAiWebhookError('invalid_payload', 'not an object with a string "event"');
  }
  if (!(TWIN_AI_WEBHOOK_EVENTS as readonly string[]).includes(event)) {
    throw new TwinAiWebhookError(
      'unknown_event',
      `event ${JSON.stringify(event.slice(0, 64))} is not one the seed shows`,
    );
  }
  const parsed = escalationCreatedSchema.safeParse(json);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((i) => i.path.join('.') || '(root)');
    throw new TwinAiWebhookError(
      'invalid_payload',
      `fields missing or of the wrong type: ${[...new Set(paths)].join(', ')}`,
    );
  }
  return parsed.data;
}

/**
 * Checks `Twin-Signature` over `rawBody` (the exact bytes received, before any JSON parsing) with each of `secret`
 * (several during a rotation), then parses the seed's event. Returns the event, or throws TwinAiWebhookError.
 * Deliveries may come twice or late (no delivery ID is documented): dedupe on `escalationId`.
 * @throws TypeError when rawBody is not bytes: a string or parsed object cannot be verified faithfully.
 */
export function verifyTwinAiWebhook(
  rawBody: Uint8Array,
  headers: TwinAiWebhookHeaders,
  secret: string | readonly string[],
  options: VerifyTwinAiWebhookOptions = {},
): TwinAiWebhookEvent {
  if (!(rawBody instanceof Uint8Array)) {
    throw new TypeError(
      'verifyTwinAiWebhook needs the raw body as the exact bytes received (Buffer or Uint8Array)',
    );
  }
  const secrets = typeof secret === 'string' ? [secret] : [...secret];
  if (lacksUsableSecret(secrets)) {
    throw new TwinAiWebhookError('no_secret', 'no signing secret configured (an empty secret is refused)');
  }
  const maxBytes = options.maxBytes ?? TWIN_AI_WEBHOOK_MAX_BYTES;
  if (rawBody.byteLength > maxBytes) {
    throw new TwinAiWebhookError('body_too_large', `${rawBody.byteLength} bytes, more than ${maxBytes}`);
  }
  checkSignature(rawBody, headerValue(headers, TWIN_AI_SIGNATURE_HEADER), secrets);
  return parsePayload(rawBody);
}
