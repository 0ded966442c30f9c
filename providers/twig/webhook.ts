// Verifies a Twig webhook delivery. The seed says only "Webhook signature in X-Twig-Signature header (HMAC-SHA256)",
// so the safe readings are ours (docs/twig-contract.md, A12-A15): the HMAC is over the exact raw body bytes, the
// digest is hex, with or without a `sha256=` prefix (nothing else: base64 or a second signature fails closed), and
// the payload must be the seed's `{event, timestamp, data}`. The header is checked for shape before any HMAC is
// computed; digests are compared as 32 raw bytes with timingSafeEqual; every secret given is tried, so rotation
// needs no hint. Errors say why in broad terms, never which secret or byte was wrong. No HTTP framework needed.
import { z } from 'zod';
import { lacksUsableSecret, matchesAnySecret, signHmacSha256Hex } from '../shared/hmac-signature.js';
import { TWIG_EVENTS } from './workflows/twig-events.js';

export const TWIG_SIGNATURE_HEADER = 'x-twig-signature';

/** The four events the seed lists. */
export const TWIG_WEBHOOK_EVENTS = TWIG_EVENTS.types;
export type TwigWebhookEventType = (typeof TWIG_WEBHOOK_EVENTS)[number];

/** Uppercase hex decodes to the same bytes, so it is accepted; anything after the 64 digits is not. */
const SIGNATURE = /^(?:sha256=)?([0-9a-fA-F]{64})$/;

export type TwigWebhookFailure =
  | 'no_secret'
  | 'missing_signature'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'invalid_json'
  | 'invalid_payload'
  | 'unknown_event'
  | 'stale_event';

/** Thrown by verifyTwigWebhook. */
export class TwigWebhookError extends Error {
  override name = 'TwigWebhookError';
  /**
   * True when the signature checked out and only the payload was refused (`invalid_json`, `invalid_payload`,
   * `unknown_event`, `stale_event`): the delivery is Twig's, so a receiver may acknowledge it rather than have Twig
   * retry a payload that will never change.
   */
  readonly authentic: boolean;

  constructor(
    readonly reason: TwigWebhookFailure,
    detail: string,
  ) {
    super(`Twig webhook refused (${reason}): ${detail}`);
    this.authentic = ![
      'no_secret',
      'missing_signature',
      'malformed_signature',
      'signature_mismatch',
    ].includes(reason);
  }
}

const shown = <T extends z.ZodType>(schema: T) => schema.nullish();

/** Data the seed shows for interaction.completed; the other events' data is not in the seed (A14). */
const dataSchemas = {
  'interaction.completed': z.looseObject({
    interaction_id: shown(z.string()),
    agent_id: shown(z.string()),
    latency_ms: shown(z.number()),
  }),
  'data_source.synced': z.looseObject({
    data_source_id: shown(z.string()),
    status: shown(z.string()),
    chunks_indexed: shown(z.number()),
  }),
  'agent.updated': z.looseObject({ agent_id: shown(z.string()) }),
  'eval.completed': z.looseObject({}),
} as const satisfies Record<TwigWebhookEventType, z.ZodType>;

type DataOf<E extends TwigWebhookEventType> = z.infer<(typeof dataSchemas)[E]>;

/** A verified delivery, narrowed by `event`. Fields the seed does not show are optional in `data`. */
export type TwigWebhookEvent = {
  [E in TwigWebhookEventType]: { event: E; timestamp: string; data: DataOf<E> };
}[TwigWebhookEventType];

const envelopeSchema = z.looseObject({
  event: z.string().min(1),
  timestamp: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO-8601 timestamp'),
  data: z.record(z.string(), z.unknown()),
});

/** Node's IncomingHttpHeaders, a fetch Headers object, or a plain record; names are matched case-insensitively. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /**
   * Refuse events whose `timestamp` is older than this (`stale_event`). Off by default: the signature covers no
   * timestamp, and Twig's retries carry the original one, so a window would drop late retries (A15).
   */
  maxAgeMs?: number;
  now?: () => number;
}

function headerValue(headers: WebhookHeaders, name: string): string | string[] | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** `sha256=<hex>` as the emulator sends it; `bare` is the digest alone (both are accepted by the verifier). */
export function signTwigWebhook(
  rawBody: Uint8Array,
  secret: string,
  style: 'prefixed' | 'bare' = 'prefixed',
): string {
  return signHmacSha256Hex(rawBody, secret, style);
}

function checkSignature(
  rawBody: Buffer,
  header: string | string[] | undefined,
  secrets: readonly string[],
): void {
  if (lacksUsableSecret(secrets)) {
    throw new TwigWebhookError('no_secret', 'no signing secret configured (an empty secret is refused)');
  }
  if (header === undefined || header === '') {
    throw new TwigWebhookError('missing_signature', `no ${TWIG_SIGNATURE_HEADER} header`);
  }
  const hex = typeof header === 'string' ? SIGNATURE.exec(header.trim())?.[1] : undefined;
  if (hex === undefined) {
    throw new TwigWebhookError(
      'malformed_signature',
      `${TWIG_SIGNATURE_HEADER} must be one HMAC-SHA256 hex digest, optionally prefixed "sha256="`,
    );
  }
  if (!matchesAnySecret(rawBody, hex, secrets))
    throw new TwigWebhookError('signature_mismatch', 'the signature does not match the body');
}

/**
 * Checks `X-Twig-Signature` over `rawBody` (the exact bytes received, before any JSON parsing) with each of
 * `secret`, then parses the seed's payload. Returns the event, or throws TwigWebhookError with its reason.
 * @throws TypeError when rawBody is not bytes (a string or parsed object cannot be verified faithfully).
 */
export function verifyTwigWebhook(
  rawBody: Buffer,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): TwigWebhookEvent {
  if (!Buffer.isBuffer(rawBody)) {
    throw new TypeError('verifyTwigWebhook needs the raw body as a Buffer of the exact bytes received');
  }
  checkSignature(
    rawBody,
    headerValue(headers, TWIG_SIGNATURE_HEADER),
    typeof secret === 'string' ? [secret] : secret,
  );
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new TwigWebhookError('invalid_json', 'the body is not JSON');
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    const paths = envelope.error.issues.map((i) => i.path.join('.') || '(root)');
    throw new TwigWebhookError(
      'invalid_payload',
      `not {event, timestamp, data}: ${[...new Set(paths)].join(', ')}`,
    );
  }
  const { event, timestamp, data } = envelope.data;
  if (!(TWIG_WEBHOOK_EVENTS as readonly string[]).includes(event)) {
    throw new TwigWebhookError(
      'unknown_event',
      `event ${JSON.stringify(event.slice(0, 64))} is not one the seed lists`,
    );
  }
  const typed = dataSchemas[event as TwigWebhookEventType].safeParse(data);
  if (!typed.success) {
    const paths = typed.error.issues.map((i) => `data.${i.path.join('.')}`);
    throw new TwigWebhookError(
      'invalid_payload',
      `fields of the wrong type: ${[...new Set(paths)].join(', ')}`,
    );
  }
  if (
    options.maxAgeMs !== undefined &&
    (options.now ?? Date.now)() - Date.parse(timestamp) > options.maxAgeMs
  ) {
    throw new TwigWebhookError('stale_event', `timestamp ${timestamp} is older than ${options.maxAgeMs} ms`);
  }
  return { ...envelope.data, event, timestamp, data: typed.data } as TwigWebhookEvent;
}
