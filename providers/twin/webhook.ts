// Verifies Twin's `X-Cobb-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>` over the exact bytes received.
// The header is checked for shape before any HMAC is computed, digests are compared as 32 raw bytes in
// constant time, and the result says only *why* it failed in broad terms (for metrics), never which secret
// or which byte was wrong.
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { SigningKey } from '../../services/receiver/secrets.js';

/** Uppercase hex is accepted: it decodes to the same bytes. Anything after the 64 hex digits is not. */
const SIGNATURE_HEADER = /^sha256=([0-9a-fA-F]{64})$/;

export type SignatureFailure =
  'missing_signature' | 'malformed_signature' | 'signature_mismatch' | 'no_secrets' | 'secret_not_for_agent';

export type ParsedSignature = { ok: true; digest: Buffer } | { ok: false; reason: SignatureFailure };

/** Node joins a repeated header with ", ", which this shape rejects, so two signatures never count as one. */
export function parseSignatureHeader(header: string | undefined): ParsedSignature {
  if (header === undefined || header === '') return { ok: false, reason: 'missing_signature' };
  const hex = SIGNATURE_HEADER.exec(header)?.[1];
  if (hex === undefined) return { ok: false, reason: 'malformed_signature' };
  return { ok: true, digest: Buffer.from(hex, 'hex') };
}

function hmacSha256(secret: KeyObject | string, body: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export type DigestCheck =
  | { ok: true; matched: readonly SigningKey[] }
  | { ok: false; reason: Extract<SignatureFailure, 'no_secrets' | 'signature_mismatch'> };

/** Passes when any active secret signed exactly these bytes; every secret is tried so rotation needs no hint. */
export function checkDigest(digest: Buffer, body: Uint8Array, secrets: readonly SigningKey[]): DigestCheck {
  if (secrets.length === 0) return { ok: false, reason: 'no_secrets' };
  const matched = secrets.filter((secret) => timingSafeEqual(hmacSha256(secret.key, body), digest));
  return matched.length > 0 ? { ok: true, matched } : { ok: false, reason: 'signature_mismatch' };
}

/**
 * Twin gives each webhook (one per agent) its own secret, so a secret the CLI registered for agent A vouches
 * only for A's runs: a leaked secret of one agent cannot move pipelines that wait on another.
 */
export function signedForAgent(matched: readonly SigningKey[], agentId: string): boolean {
  return matched.some((secret) => secret.agentId === undefined || secret.agentId === agentId);
}
