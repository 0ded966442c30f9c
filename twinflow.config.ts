// This repository's own project: the example pipelines, loaded exactly as a user's twinflow.config.ts is.
// `npm start` (the same as `npx twinflow dev` here) and every process started from this folder read it.
import { defineConfig } from './index.js';
import { codeFirstExample, examplePipelines } from './examples/index.js';

export default defineConfig(({ env }) => ({
  pipelines: [...examplePipelines(env), codeFirstExample(env)],
  workflows: './examples/code-first.ts',
}));
