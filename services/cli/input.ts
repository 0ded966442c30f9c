// Parsing of the values people type on the command line: pipeline input (inline JSON or @file), webhook URLs
// and event lists. Each failure is a usage error that quotes what was wrong, so nobody has to guess.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { WEBHOOK_EVENTS, type WebhookEventType } from '../../providers/twin/vocabulary/run-status.js';
import { usageError } from './errors.js';

/** `--input '{"a":1}'` or `--input @input.json`; the input of a pipeline is a JSON object. */
/** A JSON option value given inline or as `@path`; `example` is shown when it does not parse. */
export async function parseJsonOption(
  raw: string,
  flag: string,
  example: string,
): Promise<{ value: unknown; where: string }> {
  const fromFile = raw.startsWith('@');
  const where = fromFile ? `file ${raw.slice(1)}` : flag;
  const text = fromFile ? await readInputFile(raw.slice(1)) : raw;
  try {
    return { value: JSON.parse(text) as unknown, where };
  } catch (error) {
    throw usageError(
      `${where} is not valid JSON: ${(error as Error).message}`,
      `example: ${flag} '${example}'`,
    );
  }
}

export async function parsePipelineInput(raw: string | undefined): Promise<Record<string, unknown>> {
  if (raw === undefined) return {};
  const { value, where } = await parseJsonOption(raw, '--input', '{"repo":"acme/shop"}');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw usageError(
      `${where} must be a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

async function readInputFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(
      `cannot read input file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

export interface CheckedWebhookUrl {
  url: string;
  /** Set when the URL is acceptable but unwise. */
  warning?: string;
}

/**
 * Twin POSTs run data and a signature made with the secret to this URL. Only http(s) is allowed (no file:,
 * gopher: and friends), never a link-local host (169.254.169.254 and friends: server-side request forgery
 * aimed at cloud metadata); plain http is fine on loopback but warned about elsewhere, because anyone on the
 * path could read the deliveries.
 */
export function checkWebhookUrl(raw: string): CheckedWebhookUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(
      `webhook URL "${raw}" is not a valid URL`,
      'example: --url https://twinflow.example.com/webhooks/twin',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError(`webhook URL must be http or https, got ${url.protocol.replace(/:$/, '')}:`);
  }
  if (url.username || url.password)
    throw usageError('webhook URL must not carry credentials (user:password@)');
  if (isLinkLocal(url.hostname)) {
    throw usageError(
      `webhook URL ${url.origin} is a link-local address (cloud metadata services live there); Twin must never be pointed at it`,
    );
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return {
      url: url.toString(),
      warning: `webhook URL ${url.origin} is plain http on a non-loopback host: deliveries travel unencrypted; use https`,
    };
  }
  return { url: url.toString() };
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function isLinkLocal(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host) === 4) return host.startsWith('169.254.');
  return isIP(host) === 6 && /^fe[89ab]/.test(host);
}

export function parseWebhookEvents(raw: string[] | undefined): WebhookEventType[] {
  if (!raw || raw.length === 0) return [...WEBHOOK_EVENTS];
  const words = raw
    .flatMap((r) => r.split(','))
    .map((w) => w.trim())
    .filter(Boolean);
  const unknown = words.filter((w) => !(WEBHOOK_EVENTS as readonly string[]).includes(w));
  if (unknown.length > 0) {
    throw usageError(
      `unknown webhook event(s): ${unknown.join(', ')}`,
      `known events: ${WEBHOOK_EVENTS.join(', ')}`,
    );
  }
  return [...new Set(words)] as WebhookEventType[];
}
