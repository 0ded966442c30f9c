// What the live gateway does on paths it routes but Twin does not implement, as integrators met it (shared/
// twin-api.md): a 2xx that is not the promised JSON, and a bare 405. Registered in the documented profile only,
// so the client's handling of "a 2xx that is not JSON" and of bodiless errors is tested against them.
import type { EmulatorCore } from '../core.js';
import { answerEmpty, type ApiRouter } from '../http.js';

/** gRPC's UNIMPLEMENTED, passed through by the gateway as a header on an HTTP 200. */
const GRPC_UNIMPLEMENTED = '12';

/** Not in seed 001: there is no single-run GET, yet the gateway routes the path. */
const UNIMPLEMENTED_GETS = ['/v1/agents/:agentId/runs/:runId'];

export function registerGatewayRoutes(router: ApiRouter, core: EmulatorCore): void {
  if (!core.profile.liveGateway) return;
  for (const path of UNIMPLEMENTED_GETS) {
    router.get(path, (ctx) => {
      answerEmpty(ctx, 200, { 'content-type': 'application/grpc', 'grpc-status': GRPC_UNIMPLEMENTED });
    });
  }
  router.patch('/v1/agents/:agentId/runs/:runId', (ctx) => {
    answerEmpty(ctx, 405, { Allow: 'DELETE' });
  });
}
