// The process side of every provider, under the name workflows/providers.ts registers its step kinds by. The
// workflow bundle cannot import this side (clients, routes, node:crypto), so the two lists are two; `satisfies`
// makes a provider registered on one side and missing on the other a type error, naming it.
import { ConfigError, type Config } from '../services/shared/config.js';
import type { PROVIDERS } from '../workflows/providers.js';
import { managedAgentsProvider } from './managed-agents/provider.js';
import type { ClientOf, Provider } from './provider.js';
import { twigProvider } from './twig/provider.js';
import { twinAiProvider } from './twin-ai/provider.js';
import { twinProvider } from './twin/provider.js';

export const PROVIDER_RUNTIMES = {
  twin: twinProvider,
  'managed-agents': managedAgentsProvider,
  'twin-ai': twinAiProvider,
  twig: twigProvider,
} satisfies { [P in keyof typeof PROVIDERS]: Provider<unknown> };

type Runtimes = typeof PROVIDER_RUNTIMES;
export type RegisteredProvider = keyof Runtimes;

/** Each provider's client; Twin's is required (every pipeline runs on Twin), the others' only where configured. */
export type ProviderClients = { twin: ClientOf<Runtimes['twin']> } & {
  [P in Exclude<RegisteredProvider, 'twin'>]?: ClientOf<Runtimes[P]>;
};

/** The clients the settings configure (Twin's is required: throws ConfigError without TWIN_API_KEY). */
export function clientsFromConfig(config: Config): ProviderClients {
  const twin = twinProvider.client(config);
  if (!twin) throw new ConfigError(['TWIN_API_KEY is not set']);
  const clients: ProviderClients = { twin };
  for (const [name, provider] of Object.entries(PROVIDER_RUNTIMES)) {
    if (name !== 'twin') Object.assign(clients, { [name]: provider.client(config) });
  }
  return clients;
}
