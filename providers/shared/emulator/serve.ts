// How an emulator goes live: a Koa app on a real HTTP server, bound (by default to loopback, since the control API
// is unauthenticated) on a given or free port, with a close that stops the emulator's timers and cuts kept-alive
// connections so tests never wait for them. The same for every emulator; their routes and state are their own.
import { createServer } from 'node:http';
import type Koa from 'koa';
import { listen } from '../../../services/shared/listen.js';

/** Where a started emulator listens, and how to stop it. */
export interface ServedEmulator {
  /** The base URL to give a client, e.g. `http://127.0.0.1:53124`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `app` on `host:port` (port 0: any free one).
 *
 * @param shutdown - stops the emulator's own work (pending deliveries, timers) before the server closes
 */
export async function serveEmulator<S>(
  app: Koa<S>,
  host: string,
  port: number,
  shutdown: () => void,
): Promise<ServedEmulator> {
  const server = createServer(app.callback());
  const address = await listen(server, port, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    async close() {
      shutdown();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
