// Lint rules that catch what the type checker does not: promises nobody awaits, and imports across the boundaries
// docs/architecture.md draws (workflows stay deterministic and free of I/O; activities never reach the control
// layer or the CLI; shared code knows no workflows; only the worker's bundle entry names workflow bodies).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from './scripts/eslint-boundaries.js';

/** Everywhere: the SDK's `lib/` paths are private and change between releases. */
const NO_DEEP_TEMPORAL = {
  group: ['@temporalio/*/lib/*', '@temporalio/*/lib/**'],
  message: 'Import from the package root (e.g. `@temporalio/common`): `lib/` paths are the SDK’s internals.',
};

/** Workflow bodies, which only the bundle entry (workflows/index.ts) names; everything else imports the contract. */
const NO_WORKFLOW_BODIES = {
  group: [
    '**/workflows/run-tracker.js',
    '**/workflows/agent-lane.js',
    '**/workflows/agent-run.js',
    '**/workflows/pipeline.js',
    '**/workflows/provider-event.js',
  ],
  message: 'Import the workflow’s contract (workflows/*-api.ts) instead of its body.',
};

/** `no-restricted-imports` options: flat config replaces a rule's options per file, so each block lists them all. */
const restrictImports = (...patterns) => ['error', { paths: [], patterns: [NO_DEEP_TEMPORAL, ...patterns] }];

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'reports/', 'coverage/', '.twinflow/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { boundaries },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-deprecated': 'error',
      '@typescript-eslint/no-restricted-imports': restrictImports(),
    },
  },
  {
    // The workflow side of the core and of every provider (providers/<name>/workflows/): the deterministic sandbox.
    files: ['workflows/**/*.ts', 'providers/*/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictImports({
        group: ['node:*', ...builtinModules],
        message: 'Workflow code runs in the deterministic sandbox: no Node built-ins.',
      }),
      'boundaries/import-boundaries': [
        'error',
        [
          { from: /^services\//, message: 'workflow code imports no services.' },
          {
            // A provider's client, emulator and webhook check are its I/O side.
            from: /^providers\//,
            except: /^providers\/[^/]+\/(workflows|activities)\/|^providers\/twin\/vocabulary\//,
            message: 'workflow code reaches a provider only through its workflows/ (and Twin’s vocabulary/).',
          },
          {
            from: /^(providers\/[^/]+\/)?activities\//,
            allowTypeImports: true,
            message: 'workflows reach activities through proxyActivities: `import type` only.',
          },
        ],
      ],
    },
  },
  {
    files: ['activities/**/*.ts', 'providers/*/activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictImports(NO_WORKFLOW_BODIES, {
        group: ['**/services/control/**', '**/services/cli/**'],
        message:
          'Activities run in the worker: the control layer and the CLI build on them, not the other way.',
      }),
    },
  },
  {
    files: ['services/**/*.ts', 'index.ts', 'testing.ts'],
    ignores: ['services/shared/**'],
    rules: { '@typescript-eslint/no-restricted-imports': restrictImports(NO_WORKFLOW_BODIES) },
  },
  {
    // A provider's client, webhook check and emulator are the I/O side of its seam: the workflow side and the
    // control layer build on them, never the other way.
    files: ['providers/**/*.ts'],
    ignores: ['providers/*/workflows/**', 'providers/*/activities/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictImports(NO_WORKFLOW_BODIES, {
        group: ['**/services/control/**', '**/services/cli/**', '**/services/dev-stack/**'],
        message: 'Providers sit below the control layer, the CLI and the dev stack.',
      }),
    },
  },
  {
    files: ['services/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictImports({
        group: ['**/workflows/**'],
        message: 'services/shared is the bottom layer: it knows no workflows.',
      }),
    },
  },
);
