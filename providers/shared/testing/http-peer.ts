// Provider specs need a real HTTP peer on 127.0.0.1: a webhook receiver that keeps each delivery's exact bytes
// and headers (what a real receiver verifies), or a server that answers what a test scripts (a proxy's page, a
// broken 2xx). Both are the same small server; what it answers is the spec's.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listen } from '../../../services/shared/listen.js';

/** One request as the peer received it. */
export interface PeerRequest {
  body: Buffer;
  headers: IncomingHttpHeaders;
}

/** What the peer answers to one request. */
export interface PeerAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpPeer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  close(): Promise<void>;
}

/** Starts a peer that reads each request whole, then answers `answer(request)`. */
export async function startHttpPeer(answer: (request: PeerRequest) => PeerAnswer): Promise<HttpPeer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = answer({ body: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(reply.status, reply.headers).end(reply.body);
    });
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
