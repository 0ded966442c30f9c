// The pipeline control API over HTTP: a small JSON router the receiver mounts. Bearer-token auth (constant-time)
// comes before anything reads the body; bodies are JSON with a size limit and are checked with zod; every
// error is problem+json. Client mistakes are 4xx, never 5xx; an unreachable Temporal is 503 with Retry-After.
// The handlers only translate HTTP to the control functions in pipelines.ts, which the CLI calls directly.
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { HttpMethodEnum, koaBody } from 'koa-body';
import type { Logger } from 'pino';
import { z } from 'zod';
import { zodIssueLines } from '../shared/zod-issues.js';
import { InvalidPipelineInputError, UnknownPipelineError, type AnyPipeline } from '../pipelines/registry.js';
import { HttpProblem, problemMiddleware } from '../shared/http-problem.js';
import { PIPELINE_STATUSES } from '../../workflows/pipeline-api.js';
import {
  approveStep,
  cancelPipeline,
  getPipelineStatus,
  IDEMPOTENCY_KEY,
  InvalidControlRequestError,
  listPipelines,
  pausePipeline,
  PipelineConflictError,
  PipelineRunNotFoundError,
  resumePipeline,
  startPipeline,
  TemporalUnavailableError,
  UnknownStepError,
  type ControlDeps,
  type PipelineRef,
} from './pipelines.js';
import { rerunPipeline } from './rerun.js';

export interface ControlRouterDeps extends ControlDeps {
  /** CONTROL_API_TOKEN: callers send `Authorization: Bearer <token>`. */
  token: string;
  /** Largest JSON body accepted; default 64 KiB. */
  maxBodyBytes?: number;
  logger?: Logger;
}

export const CONTROL_API_PREFIX = '/api';
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const startBody = z
  .object({
    input: z.record(z.string(), z.json()).optional(),
    idempotencyKey: z.string().regex(IDEMPOTENCY_KEY, 'letters, digits and . _ : - (at most 300)').optional(),
  })
  .strict();

const approveBody = z
  .object({
    approved: z.boolean().default(true),
    by: z.string().min(1).max(200).optional(),
    comment: z.string().max(4_000).optional(),
  })
  .strict();

const rerunBody = z
  .object({
    from: z.string().min(1).max(64).optional(),
    key: z.string().regex(IDEMPOTENCY_KEY, 'letters, digits and . _ : - (at most 300)').optional(),
  })
  .strict();

/** Cancel, pause and resume take no parameters; a body, if any, must be an empty object. */
const emptyBody = z.object({}).strict();

const listQuery = z.object({
  pipeline: z.string().min(1).max(256).optional(),
  status: z.enum(PIPELINE_STATUSES).optional(),
  agent: z.string().min(1).max(256).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
});

class ValidationProblem extends HttpProblem {
  constructor(what: string, error: z.ZodError) {
    super(400, `invalid ${what}: ${zodIssueLines(error, { root: what }).join('; ')}`, 'invalid_request');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  let parsed: z.ZodSafeParseResult<T>;
  try {
    parsed = schema.safeParse(value);
  } catch (error) {
    // z.json() recurses: a small body nested a few thousand levels deep exhausts the stack. A client error.
    if (error instanceof RangeError)
      throw new HttpProblem(400, `invalid ${what}: nested too deeply`, 'invalid_request');
    throw error;
  }
  if (!parsed.success) throw new ValidationProblem(what, parsed.error);
  return parsed.data;
}

/** Hashing first gives equal-length buffers, so the comparison time says nothing about the token. */
function sameToken(offered: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(offered), digest(expected));
}

function authenticate(token: string) {
  return async (ctx: Context, next: Next) => {
    const match = /^Bearer ([^\s]+)$/i.exec(ctx.get('authorization'));
    if (!match?.[1] || !sameToken(match[1], token)) {
      throw new HttpProblem(401, 'a valid bearer token is required', 'unauthorized', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    await next();
  };
}

/** JSON only: a body of another type is refused rather than silently ignored. An empty body is no body. */
function requireJsonBody() {
  return async (ctx: Context, next: Next) => {
    const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (hasBody && !ctx.is('application/json')) {
      throw new HttpProblem(415, 'request bodies must be application/json', 'unsupported_media_type');
    }
    await next();
  };
}

/** The control functions' typed errors as problems; anything else is left to the shared middleware. */
function problemOf(error: unknown): HttpProblem | undefined {
  if (
    error instanceof UnknownPipelineError ||
    error instanceof PipelineRunNotFoundError ||
    error instanceof UnknownStepError
  ) {
    return new HttpProblem(404, error.message, 'not_found');
  }
  if (error instanceof InvalidPipelineInputError || error instanceof InvalidControlRequestError) {
    return new HttpProblem(400, error.message, 'invalid_request');
  }
  if (error instanceof PipelineConflictError) return new HttpProblem(409, error.message, 'conflict');
  if (error instanceof TemporalUnavailableError) {
    return new HttpProblem(
      503,
      error.message,
      'temporal_unavailable',
      { 'Retry-After': '5' },
      { cause: error },
    );
  }
  return undefined;
}

/** Declared pipelines list their steps and triggers; one written as code names its workflow type instead. */
function pipelineSummary(pipeline: AnyPipeline) {
  const common = { name: pipeline.name, kind: pipeline.kind, description: pipeline.description };
  if (pipeline.kind === 'code')
    return { ...common, workflowType: pipeline.workflowType, steps: [], triggers: [] };
  const { definition } = pipeline;
  return {
    ...common,
    steps: definition.steps.map((s) => ({ id: s.id, kind: s.kind, after: s.after ?? [] })),
    triggers: definition.triggers ?? [],
  };
}

function refOf(ctx: Context): PipelineRef {
  const { name = '', key = '' } = ctx.params as Record<string, string | undefined>;
  return { name, key };
}

function bodyOf(ctx: Context): unknown {
  return ctx.request.body ?? {};
}

export function createControlRouter(deps: ControlRouterDeps): Router {
  if (deps.token.length < 16) throw new Error('the control API token must be at least 16 characters');
  const router = new Router({ prefix: CONTROL_API_PREFIX });
  router.use(problemMiddleware({ logger: deps.logger, surface: 'control API', translate: problemOf }));
  router.use(authenticate(deps.token));
  router.use(requireJsonBody());
  router.use(
    koaBody({
      json: true,
      jsonStrict: true,
      jsonLimit: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      urlencoded: false,
      text: false,
      multipart: false,
      parsedMethods: [HttpMethodEnum.POST],
    }),
  );

  router.get('/pipelines', (ctx) => {
    ctx.body = { pipelines: deps.registry.list().map(pipelineSummary) };
  });

  router.get('/pipelines/:name', (ctx) => {
    const pipeline = deps.registry.require(refOf(ctx).name);
    ctx.body =
      pipeline.kind === 'code'
        ? { kind: 'code', workflowType: pipeline.workflowType, inputSchema: pipeline.inputJsonSchema() }
        : { kind: 'declared', definition: pipeline.definition, inputSchema: pipeline.inputJsonSchema() };
  });

  router.post('/pipelines/:name/runs', async (ctx) => {
    const body = parse(startBody, bodyOf(ctx), 'body');
    const header = ctx.get('idempotency-key') || undefined;
    if (header && body.idempotencyKey && header !== body.idempotencyKey) {
      throw new HttpProblem(400, 'Idempotency-Key header and body idempotencyKey differ', 'invalid_request');
    }
    const started = await startPipeline(deps, {
      name: refOf(ctx).name,
      input: body.input,
      idempotencyKey: body.idempotencyKey ?? header,
    });
    ctx.status = started.started ? 201 : 200;
    ctx.body = started;
  });

  router.get('/pipelines/:name/runs', async (ctx) => {
    const pipeline = deps.registry.require(refOf(ctx).name).name;
    const { status, agent, limit } = parse(listQuery, ctx.query, 'query');
    ctx.body = { runs: await listPipelines(deps, { pipeline, status, agentId: agent, limit }) };
  });

  router.get('/pipeline-runs', async (ctx) => {
    const { pipeline, status, agent, limit } = parse(listQuery, ctx.query, 'query');
    ctx.body = { runs: await listPipelines(deps, { pipeline, status, agentId: agent, limit }) };
  });

  router.get('/pipelines/:name/runs/:key', async (ctx) => {
    ctx.body = await getPipelineStatus(deps, refOf(ctx));
  });

  const commands = { cancel: cancelPipeline, pause: pausePipeline, resume: resumePipeline } as const;
  for (const [command, run] of Object.entries(commands)) {
    router.post(`/pipelines/:name/runs/:key/${command}`, async (ctx) => {
      parse(emptyBody, bodyOf(ctx), 'body');
      await run(deps, refOf(ctx));
      ctx.status = 202;
      ctx.body = { accepted: command };
    });
  }

  router.post('/pipelines/:name/runs/:key/rerun', async (ctx) => {
    const body = parse(rerunBody, bodyOf(ctx), 'body');
    const started = await rerunPipeline(deps, refOf(ctx), body);
    ctx.status = started.started ? 201 : 200;
    ctx.body = started;
  });

  router.post('/pipelines/:name/runs/:key/steps/:stepId/approve', async (ctx) => {
    const body = parse(approveBody, bodyOf(ctx), 'body');
    const { stepId = '' } = ctx.params as Record<string, string | undefined>;
    ctx.body = { step: await approveStep(deps, refOf(ctx), { stepId, ...body }) };
  });

  return router;
}
