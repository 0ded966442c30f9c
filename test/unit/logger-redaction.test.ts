// What every process's logger censors before a line is written, wherever a caller puts a secret.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CENSOR, createLogger } from '../../services/shared/logger.js';

const SECRET = 'whsec_do-not-print-me';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('test', 'info', stream), lines };
}

function loggedLine(fields: Record<string, unknown>): Record<string, unknown> {
  const { logger, lines } = capture();
  logger.info(fields, 'line');
  return lines[0] as Record<string, unknown>;
}

describe('the shared logger', () => {
  it('censors a secret field at the top of a line', () => {
    expect(loggedLine({ apiKey: SECRET, runId: 'run_1' })).toMatchObject({ apiKey: CENSOR, runId: 'run_1' });
  });

  it('censors secret fields of a logged object, such as a whole config', () => {
    const line = loggedLine({ config: { TWIN_API_KEY: SECRET, CONTROL_API_TOKEN: SECRET, PORT: 8080 } });
    expect(line.config).toEqual({ TWIN_API_KEY: CENSOR, CONTROL_API_TOKEN: CENSOR, PORT: 8080 });
  });

  it('censors credential headers of a request in any letter case', () => {
    const line = loggedLine({
      req: {
        method: 'GET',
        headers: { Authorization: `Bearer ${SECRET}`, 'x-api-key': SECRET, accept: '*/*' },
      },
      headers: { authorization: SECRET },
    });
    expect(line.req).toEqual({
      method: 'GET',
      headers: { Authorization: CENSOR, 'x-api-key': CENSOR, accept: '*/*' },
    });
    expect(line.headers).toEqual({ authorization: CENSOR });
  });

  it('censors a secret carried on a logged error and keeps its message and stack', () => {
    const error = Object.assign(new Error('registration failed'), { signing_secret: SECRET });
    const line = loggedLine({ err: error });
    expect(line.err).toMatchObject({ message: 'registration failed', signing_secret: CENSOR });
    expect((line.err as { stack?: string }).stack).toContain('registration failed');
  });

  it('censors secrets bound to a child logger', () => {
    const { logger, lines } = capture();
    logger.child({ secrets: [SECRET], agentId: 'agent_1' }).info('line');
    expect(lines[0]).toMatchObject({ secrets: CENSOR, agentId: 'agent_1' });
  });

  it('leaves what the caller logged untouched', () => {
    const fields = { secret: SECRET, nested: { api_key: SECRET } };
    loggedLine(fields);
    expect(fields).toEqual({ secret: SECRET, nested: { api_key: SECRET } });
  });

  it('never prints a secret anywhere in the line it censored', () => {
    const { logger, lines } = capture();
    logger.info({ secret: SECRET, options: { apiKey: SECRET }, req: { headers: { authorization: SECRET } } });
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });
});
