// Optional JSON state file. Writes are debounced (a burst of changes costs one write) and atomic (write a
// temporary file, then rename), so a crash mid-write never leaves a truncated file for the next start.
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writePrivateFile } from '../../../services/shared/private-file.js';
import { snapshotSchema, type Snapshot } from './state.js';

const DEBOUNCE_MS = 20;

export class StateFileError extends Error {
  override name = 'StateFileError';
}

export async function loadStateFile(path: string): Promise<Snapshot | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = snapshotSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new StateFileError(`state file ${path} is invalid: ${parsed.error.message}`);
  return parsed.data;
}

export class StateFileWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly snapshot: () => Snapshot,
    private readonly logger: Logger,
  ) {}

  scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.enqueueWrite();
    }, DEBOUNCE_MS);
  }

  /** Writes whatever is pending now; used on close so the last changes are never lost. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.enqueueWrite();
    }
    await this.writing;
  }

  private enqueueWrite(): void {
    const body = JSON.stringify(this.snapshot());
    this.writing = this.writing
      .then(() => this.write(body))
      .catch((err: unknown) => {
        this.logger.error({ err, path: this.path }, 'failed to write emulator state file');
      });
  }

  private async write(body: string): Promise<void> {
    // The state holds webhook signing secrets: readable by its owner only.
    await writePrivateFile(this.path, body);
  }
}
