// docker-compose.yml and .env.example are configuration nobody runs in CI (no Docker engine here), so they
// rot silently: a renamed variable, a forgotten search attribute. This file holds them to the code. It uses
// `docker compose config` when the compose plugin is installed (which also checks the file the way Docker
// will), and otherwise parses the YAML itself.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { configSchema } from '../../services/shared/config.js';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../services/dev-stack/temporal-dev-server.js';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

const COMPOSE_FILE = path.join(PROJECT_ROOT, 'docker-compose.yml');
const ENV_EXAMPLE = path.join(PROJECT_ROOT, '.env.example');
const DYNAMIC_CONFIG_FILE = path.join(PROJECT_ROOT, 'deploy/temporal/dynamicconfig.yaml');
const TWINFLOW_SERVICES = ['worker', 'receiver', 'emulator'];
const CONFIG_KEYS = new Set(Object.keys(configSchema.shape));

const serviceSchema = z.looseObject({
  image: z.string().optional(),
  build: z.unknown().optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  entrypoint: z.union([z.string(), z.array(z.string())]).optional(),
  environment: z.union([z.record(z.string(), z.unknown()), z.array(z.string())]).optional(),
  ports: z
    .array(
      z.union([
        z.string(),
        z.looseObject({ target: z.coerce.number(), published: z.coerce.string().optional() }),
      ]),
    )
    .optional(),
  depends_on: z
    .union([z.array(z.string()), z.record(z.string(), z.looseObject({ condition: z.string() }))])
    .optional(),
  healthcheck: z.looseObject({ test: z.union([z.string(), z.array(z.string())]) }).optional(),
  profiles: z.array(z.string()).optional(),
  volumes: z.array(z.unknown()).optional(),
});
const composeSchema = z.looseObject({ services: z.record(z.string(), serviceSchema) });
type Service = z.infer<typeof serviceSchema>;

/** Placeholder values so `docker compose config` can interpolate the variables the file requires. */
const REQUIRED_FOR_CONFIG = { TWIN_API_KEY: 'test-key', CONTROL_API_TOKEN: 'a-control-token-of-16+' };

function composeCliWorks(): boolean {
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
}

function loadCompose(): { services: Record<string, Service>; source: string } {
  if (composeCliWorks()) {
    const json = execFileSync(
      'docker',
      ['compose', '-f', COMPOSE_FILE, '--profile', 'emulator', 'config', '--format', 'json'],
      {
        env: { ...process.env, ...REQUIRED_FOR_CONFIG },
        encoding: 'utf8',
      },
    );
    return { services: composeSchema.parse(JSON.parse(json)).services, source: 'docker compose config' };
  }
  const yaml: unknown = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true });
  return { services: composeSchema.parse(yaml).services, source: 'yaml' };
}

function environmentNames(service: Service | undefined): string[] {
  const environment = service?.environment ?? {};
  return Array.isArray(environment)
    ? environment.map((entry) => entry.split('=')[0] ?? '')
    : Object.keys(environment);
}

function containerPorts(service: Service | undefined): number[] {
  return (service?.ports ?? []).map((port) =>
    typeof port === 'string' ? Number(port.split(':').at(-1)) : port.target,
  );
}

function commandText(service: Service | undefined): string {
  return [service?.entrypoint, service?.command].flat().filter(Boolean).join(' ');
}

/** Names of `${VAR}` / `${VAR:-default}` / `${VAR:?message}` references in the raw file. */
function interpolatedNames(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}/g)].map((m) => m[1] ?? ''))];
}

function documentedNames(text: string): Set<string> {
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? ''));
}

describe('docker-compose.yml', () => {
  let services: Record<string, Service>;
  let source: string;

  beforeAll(() => {
    ({ services, source } = loadCompose());
  });

  it('defines Temporal on PostgreSQL, the Web UI, the receiver, the worker and the emulator', () => {
    expect(Object.keys(services), `read via ${source}`).toEqual(
      expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'receiver', 'worker', 'emulator']),
    );
    expect(environmentNames(services.temporal)).toContain('POSTGRES_SEEDS');
  });

  it('puts the emulator under the optional "emulator" profile and nothing else', () => {
    expect(services.emulator?.profiles).toEqual(['emulator']);
    for (const name of ['temporal', 'temporal-ui', 'receiver', 'worker'])
      expect(services[name]?.profiles).toBeUndefined();
  });

  it('builds the receiver and the worker from the Dockerfile and runs their entry points', () => {
    for (const name of ['receiver', 'worker']) {
      expect(services[name]?.build, name).toBeDefined();
      expect(commandText(services[name])).toContain(`services/${name}/main.ts`);
    }
  });

  it('publishes the Temporal frontend, the Web UI, the receiver and the worker metrics', () => {
    expect(containerPorts(services.temporal)).toContain(7233);
    expect(containerPorts(services['temporal-ui'])).toContain(8080);
    expect(containerPorts(services.receiver)).toContain(8787);
    expect(containerPorts(services.worker)).toContain(9464);
  });

  it('gives every long-running service a health check', () => {
    for (const name of ['postgresql', 'temporal', 'receiver', 'worker', 'emulator']) {
      expect(services[name]?.healthcheck, name).toBeDefined();
    }
  });

  it('starts the twinflow services only after Temporal is set up', () => {
    for (const name of ['receiver', 'worker']) {
      expect(services[name]?.depends_on).toEqual({
        'temporal-setup': expect.objectContaining({ condition: 'service_completed_successfully' }),
      });
    }
    expect(services['temporal-setup']?.depends_on).toEqual({
      temporal: expect.objectContaining({ condition: 'service_healthy' }),
    });
    expect(services.temporal?.depends_on).toEqual({
      postgresql: expect.objectContaining({ condition: 'service_healthy' }),
    });
  });

  it('gives Temporal the history dynamic config the dev server runs with', () => {
    const file = parse(readFileSync(DYNAMIC_CONFIG_FILE, 'utf8')) as Record<string, [{ value: unknown }]>;
    const fromFile = Object.entries(file).map(([key, [entry]]) => `${key}=${String(entry.value)}`);
    expect(fromFile).toEqual(DEV_SERVER_DYNAMIC_CONFIG.filter((value) => value.startsWith('history.')));
    expect(environmentNames(services.temporal)).toContain('DYNAMIC_CONFIG_FILE_PATH');
    expect(JSON.stringify(services.temporal?.volumes)).toContain('deploy/temporal/dynamicconfig.yaml');
  });

  it('registers every custom search attribute the workflows use', () => {
    const setup = commandText(services['temporal-setup']);
    for (const attribute of DEV_SERVER_SEARCH_ATTRIBUTES) expect(setup).toContain(attribute);
  });

  it('passes the twinflow services only variables that services/shared/config.ts reads', () => {
    for (const name of TWINFLOW_SERVICES) {
      const unknown = environmentNames(services[name]).filter((variable) => !CONFIG_KEYS.has(variable));
      expect(unknown, name).toEqual([]);
    }
  });
});

describe('.env.example', () => {
  const example = readFileSync(ENV_EXAMPLE, 'utf8');
  const documented = documentedNames(example);

  it('documents every variable of the configuration schema', () => {
    expect([...CONFIG_KEYS].filter((key) => !documented.has(key))).toEqual([]);
  });

  it('documents every variable docker-compose.yml interpolates', () => {
    const used = interpolatedNames(readFileSync(COMPOSE_FILE, 'utf8'));
    expect(used.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('shows the schema default of each variable it gives a value', () => {
    const defaults = configSchema.parse({});
    const mismatches = [...example.matchAll(/^#\s*([A-Z][A-Z0-9_]*)=(.+)$/gm)]
      .filter(([, key]) => key !== undefined && CONFIG_KEYS.has(key))
      .filter(([, key, value]) => String(defaults[key as keyof typeof defaults]) !== value)
      .map(([line]) => line);
    expect(mismatches).toEqual([]);
  });
});
