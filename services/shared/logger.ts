// Structured logs for every process. Redaction is on the logger itself so that no call site can leak a
// secret by logging a whole config, request or error object.
import { pino, type Logger, type LoggerOptions } from 'pino';

export const REDACTED_PATHS = [
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'signing_secret',
  '*.signing_secret',
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'TWIN_API_KEY',
  '*.TWIN_API_KEY',
  'WEBHOOK_SIGNING_SECRETS',
  '*.WEBHOOK_SIGNING_SECRETS',
  'CONTROL_API_TOKEN',
  '*.CONTROL_API_TOKEN',
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'headers["x-api-key"]',
  'headers.authorization',
];

export function createLogger(name: string, level = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
