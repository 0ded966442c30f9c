// How every failure from Twin becomes one TwinApiError: both error body shapes, bodies that are not JSON at all,
// gRPC answers where JSON was due, which failures are worth retrying, how long Retry-After says to wait and
// whether Twin may have performed the request.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  MAX_RETRY_AFTER_MS,
  TwinApiError,
  grpcAnswerError,
  invalidRequestError,
  isRetryableStatus,
  malformedResponseError,
  mayHavePerformed,
  networkError,
  pagingError,
  parseRetryAfter,
  timeoutError,
  twinErrorFromResponse,
} from '../../providers/twin/client/errors.js';

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

  it('reads a problem without `type`, as Twin was seen to answer', () => {
    const body = JSON.stringify({
      detail: 'run_mode must be explicitly set',
      status: 400,
      title: 'Bad Request',
    });
    expect(fromResponse(400, body)).toMatchObject({
      title: 'Bad Request',
      detail: 'run_mode must be explicitly set',
      type: undefined,
      code: 'INVALID_ARGUMENT',
    });
  });

  it('keeps the readable members when another one has the wrong type', () => {
    const body = JSON.stringify({ type: null, title: 'Bad Request', status: '400', detail: 'no', code: 7 });
    expect(fromResponse(400, body)).toMatchObject({
      title: 'Bad Request',
      detail: 'no',
      type: undefined,
      code: 'INVALID_ARGUMENT',
    });
  });

  it("makes a 422 (JSON of the wrong type) final, keeping the deserialiser's detail", () => {
    const detail = 'Failed to deserialize the JSON body: user_message: invalid type: map, expected a string';
    const body = JSON.stringify({ detail, status: 422, title: 'Unprocessable Entity' });
    expect(fromResponse(422, body)).toMatchObject({
      status: 422,
      code: 'INVALID_ARGUMENT',
      detail,
      retryable: false,
      mayHavePerformed: false,
    });
  });
});

describe('405 Method Not Allowed', () => {
  it('names the allowed methods from an Allow header when there is no body', () => {
    const error = fromResponse(405, '', { allow: 'DELETE' });
    expect(error).toMatchObject({
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      retryable: false,
      mayHavePerformed: false,
      allowedMethods: ['DELETE'],
    });
    expect(error.detail).toBe('GET is not allowed; Allow: DELETE');
  });

  it('reads a list of methods', () => {
    expect(fromResponse(405, '', { allow: 'get, DELETE,' }).allowedMethods).toEqual(['GET', 'DELETE']);
  });

  it('falls back to the reason phrase without an Allow header', () => {
    expect(fromResponse(405, '')).toMatchObject({ detail: 'Method Not Allowed', allowedMethods: undefined });
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

  it.each([
    ['IMF-fixdate', 'Wed, 11 Mar 2026 12:00:30 GMT'],
    ['obsolete RFC 850', 'Wednesday, 11-Mar-26 12:00:30 GMT'],
    ['obsolete asctime', 'Wed Mar 11 12:00:30 2026'],
  ])('reads an HTTP-date (%s) as the time left until then', (_form, date) => {
    expect(parseRetryAfter(date, NOW)).toBe(30_000);
  });

  it('reads an HTTP-date in the past as zero', () => {
    expect(parseRetryAfter('Wed, 11 Mar 2026 11:00:00 GMT', NOW)).toBe(0);
  });

  it.each([null, undefined, '', '   ', '-5', '1.5', 'soon', '12abc', 'soon 1', '2026-03-11T12:00:30Z'])(
    'ignores %j',
    (header) => {
      expect(parseRetryAfter(header, NOW)).toBeUndefined();
    },
  );

  it(`caps a long wait at ${MAX_RETRY_AFTER_MS} ms, in seconds or as a date`, () => {
    expect(parseRetryAfter('86400', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('99999999999999999999999', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Thu, 11 Mar 2027 12:00:00 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('is attached to the error of a 429, in milliseconds', () => {
    expect(fromResponse(429, '', { 'retry-after': '3' }).retryAfterMs).toBe(3000);
  });

  it('is attached to the error of a 503 too', () => {
    expect(fromResponse(503, '', { 'retry-after': '1' }).retryAfterMs).toBe(1000);
  });

  it('leaves an unreadable one out, and the 429 retryable', () => {
    expect(fromResponse(429, '', { 'retry-after': 'soon' })).toMatchObject({
      retryable: true,
      retryAfterMs: undefined,
    });
  });

  it('ignores the non-standard Retry-After-Ms', () => {
    expect(fromResponse(429, '', { 'retry-after-ms': '1500' }).retryAfterMs).toBeUndefined();
    expect(fromResponse(429, '', { 'retry-after': '2', 'retry-after-ms': '1500' }).retryAfterMs).toBe(2000);
  });
});

describe('gRPC answers with a 2xx status', () => {
  const grpc = (headers: Record<string, string>) =>
    grpcAnswerError({
      status: 200,
      bodyText: '',
      headers: new Headers(headers),
      method: 'GET',
      path: '/v1/x',
    });

  it('make grpc-status 12 a final UNIMPLEMENTED that may have been performed', () => {
    expect(grpc({ 'content-type': 'application/grpc', 'grpc-status': '12' })).toMatchObject({
      status: 200,
      code: 'UNIMPLEMENTED',
      retryable: false,
      mayHavePerformed: true,
      method: 'GET',
      path: '/v1/x',
    });
  });

  it('retry UNAVAILABLE (14), as gRPC advises', () => {
    expect(grpc({ 'content-type': 'application/grpc', 'grpc-status': '14' })).toMatchObject({
      code: 'UNAVAILABLE',
      retryable: true,
    });
  });

  const unknownFailures: Record<string, string>[] = [
    { 'content-type': 'application/grpc+proto' },
    { 'grpc-status': '0' },
    { 'grpc-status': '99' },
  ];
  it.each(unknownFailures)('call %j without a known failure MALFORMED_RESPONSE', (headers) => {
    expect(grpc(headers)).toMatchObject({ code: 'MALFORMED_RESPONSE', retryable: false });
  });

  it('leave answers that are not gRPC alone', () => {
    expect(grpc({ 'content-type': 'application/json' })).toBeUndefined();
  });
});

describe('mayHavePerformed', () => {
  it.each([400, 401, 403, 404, 405, 409, 412, 422, 429])('is false for a %i: Twin refused', (status) => {
    expect(fromResponse(status, '').mayHavePerformed).toBe(false);
  });

  it.each([408, 500, 502, 503, 504])('is true for a %i', (status) => {
    expect(fromResponse(status, '').mayHavePerformed).toBe(true);
  });

  it('is false when the client refused to send', () => {
    expect(invalidRequestError('INVALID_CRON', 'bad').mayHavePerformed).toBe(false);
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])(
    'is false when the connection failed with %s',
    (code) => {
      expect(networkError(`fetch failed (${code})`, {}, code).mayHavePerformed).toBe(false);
    },
  );

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', undefined])(
    'is true when the connection broke with %s',
    (code) => {
      expect(networkError('fetch failed', {}, code).mayHavePerformed).toBe(true);
    },
  );

  it('is true for a timeout, a malformed 2xx and endless paging', () => {
    expect(timeoutError(100).mayHavePerformed).toBe(true);
    expect(malformedResponseError(200, 'body is empty').mayHavePerformed).toBe(true);
    expect(pagingError('PAGING_LOOP', 'cursor twice').mayHavePerformed).toBe(true);
  });

  it('follows the status for an error built without it', () => {
    const base = { title: 't', detail: 'd', code: 'C', retryable: false };
    expect(new TwinApiError({ ...base, status: 404 }).mayHavePerformed).toBe(false);
    expect(new TwinApiError({ ...base, status: 500 }).mayHavePerformed).toBe(true);
  });

  it('is what the helper says, and true for anything that is not a TwinApiError', () => {
    expect(mayHavePerformed(fromResponse(404, ''))).toBe(false);
    expect(mayHavePerformed(fromResponse(503, ''))).toBe(true);
    expect(mayHavePerformed(new Error('bug'))).toBe(true);
    expect(mayHavePerformed(undefined)).toBe(true);
  });
});
