// Exit codes of the long-running processes (worker, receiver, emulator), as their supervisor reads them. The CLI
// has its own table (services/cli/exit-codes.ts); these are for processes, not for people typing commands.

/**
 * The process refused its configuration or its pipeline definitions (sysexits' EX_CONFIG). Starting it again
 * cannot help until a file or variable changes, so the local stack waits for a change instead of restarting.
 */
export const EXIT_CONFIG = 78;

/** Any other failure to start or run: restarting may help (Temporal was down, a port was busy). */
export const EXIT_FAILURE = 1;
