// verifyTwigWebhook as a receiver meets it: a genuine delivery passes in either encoding we accept; a changed byte,
// another secret, a missing or malformed header all fail with their reason; a payload refused after a good
// signature is marked authentic. Signatures here are computed with node:crypto directly, not with our signer.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../providers/shared/testing/failures.js';
import {
  TwigWebhookError,
  verifyTwigWebhook,
  type TwigWebhookFailure,
} from '../../../providers/twig/webhook.js';

const SECRET = 'whsec_twig_test_secret';
const payload = {
  event: 'data_source.synced',
  timestamp: '2024-01-15T10:30:00Z',
  data: { data_source_id: 'ds_1', extra: true },
};
const body = Buffer.from(JSON.stringify(payload));
const hex = (bytes: Buffer, secret = SECRET) => createHmac('sha256', secret).update(bytes).digest('hex');

/** The TwigWebhookError a check threw; fails the test on a pass or any other error. */
const refusal = (run: () => unknown): TwigWebhookError => thrown(run, TwigWebhookError);

describe('genuine deliveries', () => {
  it('accepts sha256=<hex> and returns the typed event with its extra fields', () => {
    const event = verifyTwigWebhook(body, { 'x-twig-signature': `sha256=${hex(body)}` }, SECRET);
    expect(event.event).toBe('data_source.synced');
    if (event.event !== 'data_source.synced') return;
    expect(event.data.data_source_id).toBe('ds_1');
    expect((event.data as Record<string, unknown>).extra).toBe(true);
  });

  it('accepts a bare hex digest, in either case', () => {
    expect(() =>
      verifyTwigWebhook(body, { 'x-twig-signature': hex(body).toUpperCase() }, SECRET),
    ).not.toThrow();
  });

  it('finds the header whatever its case, in a fetch Headers object too', () => {
    const headers = new Headers({ 'X-Twig-Signature': `sha256=${hex(body)}` });
    expect(verifyTwigWebhook(body, headers, SECRET).event).toBe('data_source.synced');
    expect(verifyTwigWebhook(body, { 'X-TWIG-SIGNATURE': hex(body) }, SECRET).event).toBe(
      'data_source.synced',
    );
  });

  it('accepts a delivery signed with any of the secrets given (rotation)', () => {
    const signed = { 'x-twig-signature': hex(body, 'new_secret') };
    expect(verifyTwigWebhook(body, signed, [SECRET, 'new_secret']).event).toBe('data_source.synced');
  });
});

describe('forged or damaged deliveries', () => {
  const cases: Array<
    [string, Buffer, Record<string, string | string[] | undefined>, string | string[], TwigWebhookFailure]
  > = [
    [
      'a body with one byte changed',
      Buffer.from(body.toString().replace('ds_1', 'ds_2')),
      { 'x-twig-signature': hex(body) },
      SECRET,
      'signature_mismatch',
    ],
    [
      'a signature made with another secret',
      body,
      { 'x-twig-signature': hex(body, 'other') },
      SECRET,
      'signature_mismatch',
    ],
    ['no signature header', body, {}, SECRET, 'missing_signature'],
    ['an empty signature header', body, { 'x-twig-signature': '' }, SECRET, 'missing_signature'],
    [
      'a base64 digest',
      body,
      { 'x-twig-signature': createHmac('sha256', SECRET).update(body).digest('base64') },
      SECRET,
      'malformed_signature',
    ],
    [
      'another algorithm’s prefix',
      body,
      { 'x-twig-signature': `sha1=${hex(body)}` },
      SECRET,
      'malformed_signature',
    ],
    [
      'two signatures joined',
      body,
      { 'x-twig-signature': `${hex(body)}, ${hex(body)}` },
      SECRET,
      'malformed_signature',
    ],
    [
      'a repeated header',
      body,
      { 'x-twig-signature': [hex(body), hex(body)] },
      SECRET,
      'malformed_signature',
    ],
    [
      'a truncated digest',
      body,
      { 'x-twig-signature': hex(body).slice(0, 63) },
      SECRET,
      'malformed_signature',
    ],
    ['no secret configured', body, { 'x-twig-signature': hex(body) }, [], 'no_secret'],
    ['an empty secret', body, { 'x-twig-signature': hex(Buffer.from(body), '') }, '', 'no_secret'],
  ];

  it.each(cases)('refuses %s', (_what, bytes, headers, secret, reason) => {
    const error = refusal(() => verifyTwigWebhook(bytes, headers, secret));
    expect(error.reason).toBe(reason);
    expect(error.authentic).toBe(false);
  });

  it('refuses a parsed body: only the exact bytes can be verified', () => {
    expect(() => verifyTwigWebhook(JSON.stringify(payload) as unknown as Buffer, {}, SECRET)).toThrow(
      TypeError,
    );
  });
});

describe('authentic deliveries with a payload we refuse', () => {
  const signed = (bytes: Buffer) => ({ 'x-twig-signature': `sha256=${hex(bytes)}` });

  it.each([
    ['not JSON', Buffer.from('not json'), 'invalid_json'],
    ['no timestamp', Buffer.from(JSON.stringify({ event: 'eval.completed', data: {} })), 'invalid_payload'],
    [
      'an event the seed does not list',
      Buffer.from(JSON.stringify({ ...payload, event: 'agent.deleted' })),
      'unknown_event',
    ],
    [
      'a shown field of the wrong type',
      Buffer.from(JSON.stringify({ ...payload, data: { data_source_id: 7 } })),
      'invalid_payload',
    ],
  ] as const)('marks %s as authentic but refused', (_what, bytes, reason) => {
    const error = refusal(() => verifyTwigWebhook(bytes, signed(bytes), SECRET));
    expect(error).toMatchObject({ reason, authentic: true });
  });

  it('refuses an event older than maxAgeMs only when asked to', () => {
    const now = () => Date.parse(payload.timestamp) + 10 * 60_000;
    expect(() => verifyTwigWebhook(body, signed(body), SECRET, { now })).not.toThrow();
    expect(
      refusal(() => verifyTwigWebhook(body, signed(body), SECRET, { now, maxAgeMs: 5 * 60_000 })).reason,
    ).toBe('stale_event');
  });
});
