// Users (Admin scope). The seed shows only the create request (email, name, role); the list envelope `users` and
// the user object (`id`, `email`, `name`, `role`, `created_at`) are the emulator's reading (A8). An email already
// in use is a 400, the only refusal the seed's table offers for it.
import { createUserSchema, listUsersQuery } from '../../requests.js';
import type { TwigEmulatorCore } from '../core.js';
import { invalidRequest } from '../errors.js';
import { route, type TwigRouter } from '../gate.js';
import { nowIso, parseBody, parseQuery } from '../http.js';
import { page, twigId, type UserRecord } from '../store.js';

export function registerAdminRoutes(router: TwigRouter, core: TwigEmulatorCore): void {
  const { store } = core;

  route(router, core, 'listUsers', (ctx) => {
    const q = parseQuery(ctx, listUsersQuery);
    const { items, ...paging } = page([...store.users.values()], q.limit, q.offset);
    ctx.body = { users: items, ...paging };
  });

  route(router, core, 'createUser', async (ctx) => {
    const body = await parseBody(ctx, createUserSchema);
    const taken = [...store.users.values()].some((u) => u.email.toLowerCase() === body.email.toLowerCase());
    if (taken) throw invalidRequest('A user with this email already exists', { email: body.email });
    const user: UserRecord = { id: twigId('user_'), role: 'readonly', ...body, created_at: nowIso() };
    store.users.set(user.id, user);
    ctx.status = 201;
    ctx.body = user;
  });
}
