// Identifiers the emulator hands out. Agents and runs get UUIDv7 strings, as real Twin IDs are
// (`019cbf0d-76f6-70e1-b106-9150e93b6e0f`), so nothing in twinflow can come to depend on a prefix like `run_`;
// keys and workspaces keep the prefixed shape the documents show.
import { randomBytes } from 'node:crypto';

export function randomId(prefix: string, bytes = 8): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

/** RFC 9562 version 7: 48 bits of Unix milliseconds, then random bits around the version and variant. */
export function uuidv7(nowMs: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}
