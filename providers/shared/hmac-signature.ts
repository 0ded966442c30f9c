// The cryptographic core of webhook signatures, shared by the signer (emulators, tests) and the verifiers. Which
// header carries the signature, and which encodings of it a platform accepts, are each provider's rule (their
// webhook.ts); this file only computes and compares HMAC-SHA256 digests, the part that must never differ.
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 of the exact body bytes, as lowercase hex, either bare or as `sha256=<hex>`.
 *
 * @param rawBody - the bytes sent, never a re-serialised object
 * @param style - `prefixed` (`sha256=<hex>`) or `bare` (the digest alone)
 */
export function signHmacSha256Hex(
  rawBody: Uint8Array,
  secret: string,
  style: 'prefixed' | 'bare' = 'prefixed',
): string {
  const hex = createHmac('sha256', secret).update(rawBody).digest('hex');
  return style === 'prefixed' ? `sha256=${hex}` : hex;
}

/**
 * Whether no secret was given, or one of them is empty: an empty HMAC key would let anyone sign, so verifiers refuse
 * before hashing.
 */
export function lacksUsableSecret(secrets: readonly unknown[]): boolean {
  return secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '');
}

/**
 * Whether `hex` (64 hex digits, already checked for shape by the caller) is the HMAC-SHA256 of `rawBody` under any
 * of `secrets`. Digests are compared as 32 raw bytes with timingSafeEqual, and every secret is tried even after a
 * match, so the time taken says nothing about which secret (or which byte) matched; several secrets let a receiver
 * rotate without a hint.
 */
export function matchesAnySecret(rawBody: Uint8Array, hex: string, secrets: readonly string[]): boolean {
  const digest = Buffer.from(hex, 'hex');
  let matched = false;
  for (const secret of secrets) {
    matched = timingSafeEqual(createHmac('sha256', secret).update(rawBody).digest(), digest) || matched;
  }
  return matched;
}
