// One way to bind an HTTP server: `listen`'s callback says nothing about failure, so an EADDRINUSE would
// otherwise surface as an unhandled 'error' event instead of a rejected start.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Binds `server` to `host:port` (port 0: any free one) and resolves with the address it got. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
