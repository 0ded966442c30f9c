// How every failure from Twin becomes one TwinApiError: both error body shapes, bodies that are not JSON at all,
// which failures are worth retrying and how long Retry-After says to wait.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  TwinApiError,
  isRetryableStatus,
  malformedResponseError,
  networkError,
  parseRetryAfter,
  parseRetryAfterMs,
  timeoutError,
  twinErrorFromResponse,
} from '../../services/twin-api/errors.js';

const NOW = Date.parse('2026-03-11T12:00:00Z');

function fromResponse(status: number, bodyText: string, headers: Record<string, string> = {}) {
  return twinErrorFromResponse(
    { status, bodyText, headers: new Headers(headers), method: 'GET', path: '/v1/me' },
    NOW,
  );
}

describe('RFC 9457 problem+json bodies', () => {
  const problem = JSON.stringify({
    type: 'about:blank',
    title: 'Not Found',
    status: 404,
    detail: 'agent a1 not found',
  });

  it('takes title and detail from the body', () => {
    const error = fromResponse(404, problem, { 'content-type': 'application/problem+json' });
    expect(error).toBeInstanceOf(TwinApiError);
    expect(error).toMatchObject({
      status: 404,
      title: 'Not Found',
      detail: 'agent a1 not found',
      type: 'about:blank',
    });
  });

  it('derives a gRPC-style code from the HTTP status', () => {
    expect(fromResponse(404, problem).code).toBe('NOT_FOUND');
  });

  it('prefers a code extension member when the server sends one', () => {
    const body = JSON.stringify({
      title: 'Conflict',
      status: 409,
      detail: 'not deployed',
      code: 'FAILED_PRECONDITION',
    });
    expect(fromResponse(409, body).code).toBe('FAILED_PRECONDITION');
  });

  it('names the request in the message', () => {
    expect(fromResponse(404, problem).message).toContain('[GET /v1/me]');
  });
});

describe('legacy {error:{code,message}} bodies (seed 000)', () => {
  const legacy = JSON.stringify({ error: { code: 'NOT_FOUND', message: 'agent a1 not found' } });

  it('keeps the gRPC code name', () => {
    expect(fromResponse(404, legacy).code).toBe('NOT_FOUND');
  });

  it('uses the message as detail and the reason phrase as title', () => {
    expect(fromResponse(404, legacy)).toMatchObject({ detail: 'agent a1 not found', title: 'Not Found' });
  });

  it('classifies by HTTP status, not by the code name', () => {
    const body = JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'try later' } });
    expect(fromResponse(503, body).retryable).toBe(true);
  });
});

describe('bodies that are not a known error shape', () => {
  it('uses plain text or HTML as the detail', () => {
    const error = fromResponse(502, '<html>Bad Gateway</html>');
    expect(error).toMatchObject({
      status: 502,
      title: 'Bad Gateway',
      detail: '<html>Bad Gateway</html>',
      code: 'UNAVAILABLE',
    });
  });

  it('bounds a huge body to 500 characters of detail', () => {
    expect(fromResponse(500, 'x'.repeat(10_000)).detail).toHaveLength(500);
  });

  it('falls back to the reason phrase for an empty body', () => {
    expect(fromResponse(403, '')).toMatchObject({
      title: 'Forbidden',
      detail: 'Forbidden',
      code: 'PERMISSION_DENIED',
    });
  });

  it('names an unmapped status by its number', () => {
    expect(fromResponse(418, '').code).toBe('HTTP_418');
  });

  it('never throws, whatever the status and body', () => {
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 599 }), fc.string(), (status, body) => {
        expect(fromResponse(status, body)).toBeInstanceOf(TwinApiError);
      }),
    );
  });
});

describe('retry classification', () => {
  it.each([500, 502, 503, 504])('retries %i', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
    expect(fromResponse(status, '').retryable).toBe(true);
  });

  it('retries 429 and calls it RESOURCE_EXHAUSTED, as the legacy shape does', () => {
    expect(fromResponse(429, '')).toMatchObject({ retryable: true, code: 'RESOURCE_EXHAUSTED' });
  });

  it('calls a 409 FAILED_PRECONDITION, as the legacy shape does for an agent that is not deployed', () => {
    expect(fromResponse(409, '')).toMatchObject({ retryable: false, code: 'FAILED_PRECONDITION' });
  });

  it.each([400, 401, 403, 404, 409, 422])('does not retry %i', (status) => {
    expect(fromResponse(status, '').retryable).toBe(false);
  });

  it('retries network failures, with status 0', () => {
    expect(networkError('fetch failed (ECONNREFUSED)')).toMatchObject({
      status: 0,
      code: 'NETWORK',
      retryable: true,
    });
  });

  it('retries timeouts, with status 0', () => {
    expect(timeoutError(1000)).toMatchObject({ status: 0, code: 'TIMEOUT', retryable: true });
  });

  it('does not retry a malformed success body', () => {
    expect(malformedResponseError(200, 'runs: expected array')).toMatchObject({
      code: 'MALFORMED_RESPONSE',
      retryable: false,
    });
  });
});

describe('Retry-After (RFC 9110)', () => {
  it('reads a bare number as seconds', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000);
  });

  it('reads zero seconds as "now"', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
  });

  it('reads an HTTP-date as the time left until then', () => {
    expect(parseRetryAfter('Wed, 11 Mar 2026 12:00:30 GMT', NOW)).toBe(30_000);
  });

  it('reads an HTTP-date in the past as zero', () => {
    expect(parseRetryAfter('Wed, 11 Mar 2026 11:00:00 GMT', NOW)).toBe(0);
  });

  it.each([null, undefined, '', '   ', '-5', '1.5', 'soon', '12abc'])('ignores %j', (header) => {
    expect(parseRetryAfter(header, NOW)).toBeUndefined();
  });

  it('is attached to the error of a 429, in milliseconds', () => {
    expect(fromResponse(429, '', { 'retry-after': '3' }).retryAfterMs).toBe(3000);
  });

  it('is attached to the error of a 503 too', () => {
    expect(fromResponse(503, '', { 'retry-after': '1' }).retryAfterMs).toBe(1000);
  });
});

describe('Retry-After-Ms', () => {
  it('reads a number of milliseconds', () => {
    expect(parseRetryAfterMs('1500')).toBe(1500);
  });

  it('rounds a fraction of a millisecond up', () => {
    expect(parseRetryAfterMs('2.5')).toBe(3);
  });

  it.each([null, undefined, '', '-5', 'soon'])('ignores %j', (header) => {
    expect(parseRetryAfterMs(header)).toBeUndefined();
  });

  it('wins over Retry-After, since it is more precise', () => {
    expect(fromResponse(429, '', { 'retry-after': '2', 'retry-after-ms': '1500' }).retryAfterMs).toBe(1500);
  });

  it('gives way to Retry-After when unreadable', () => {
    expect(fromResponse(429, '', { 'retry-after': '2', 'retry-after-ms': 'soon' }).retryAfterMs).toBe(2000);
  });
});
