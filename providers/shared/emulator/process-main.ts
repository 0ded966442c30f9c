// What every emulator's process entry (providers/<name>/emulator/main.ts) does around its own start: stop
// cleanly on SIGINT/SIGTERM (the local stack's supervisor sends SIGTERM), and turn a start-up failure into one
// line on stderr and exit code 1, so the supervisor says why it died instead of printing a stack.

/** Runs `start`, then keeps the process until a signal closes what it started. */
export async function runEmulatorProcess(start: () => Promise<{ close(): Promise<void> }>): Promise<void> {
  try {
    const emulator = await start();
    const stop = () => void emulator.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
