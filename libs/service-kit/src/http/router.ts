import express from 'express';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { FieldProblem } from '../errors';
import { badRequest, HttpError } from '../errors';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Schema = z.ZodType | undefined;
type Output<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export type Security = 'bearer' | 'refreshCookie';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  headers?: Record<string, { description: string; schema?: Record<string, unknown> }>;
}

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  req: Request;
  res: Response;
}

export interface RouteSpec<B extends Schema, Q extends Schema, P extends Schema> {
  method: Method;
  /** Relative to the router's base path, in Express syntax (`/:id`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  security?: Security;
  /** The route also serves callers without the credential (logout without a session). */
  securityOptional?: boolean;
  body?: B;
  query?: Q;
  params?: P;
  /** Success and domain-specific error responses; validation and generic errors are documented for you. */
  responses: Record<number, ResponseSpec>;
  /**
   * Runs before validation (authentication, role guards), so a caller who may not use the route
   * gets 401 or 403, never a description of what the route would have accepted.
   */
  before?: RequestHandler[];
  handler: (context: RouteContext<Output<B>, Output<Q>, Output<P>>) => Promise<void> | void;
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

type JsonSchema = Record<string, unknown>;

const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ description: 'The error shape every endpoint uses' });

function problems(location: FieldProblem['location'], error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    location,
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** The schema's output for a value, or undefined with the problems added to `found`. */
function parsed(
  schema: z.ZodType,
  value: unknown,
  location: FieldProblem['location'],
  found: FieldProblem[],
): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  found.push(...problems(location, result.error));
  return undefined;
}

/** Converts a zod schema to the JSON Schema dialect of OpenAPI 3.1. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return rest;
}

/**
 * A group of routes under one base path. Each route's zod schemas validate the request (400 with
 * field-level details) and generate its OpenAPI 3.1 operation, so documentation cannot drift.
 */
export class ApiRouter {
  private readonly router: Router = express.Router();
  private readonly paths: Record<string, Record<string, unknown>> = {};

  constructor(
    readonly basePath: string,
    private readonly info: OpenApiInfo,
  ) {}

  route<B extends Schema = undefined, Q extends Schema = undefined, P extends Schema = undefined>(
    spec: RouteSpec<B, Q, P>,
  ): this {
    const validateAndHandle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const found: FieldProblem[] = [];
      // Express parses the query string again on every read of req.query: read only when declared.
      const params = spec.params && parsed(spec.params, req.params, 'params', found);
      const query = spec.query && parsed(spec.query, { ...req.query }, 'query', found);
      const body = spec.body && parsed(spec.body, req.body, 'body', found);
      if (found.length > 0) {
        next(badRequest('Request is invalid', found));
        return;
      }
      await spec.handler({
        body: body as Output<B>,
        query: query as Output<Q>,
        params: params as Output<P>,
        req,
        res,
      });
    };
    // The route label is set on arrival (createApiApp); `before` runs ahead of validation.
    this.router[spec.method](spec.path, ...(spec.before ?? []), validateAndHandle);
    this.document(spec);
    this.table = undefined;
    return this;
  }

  /**
   * Express router mounted at basePath, including `GET <basePath>/openapi.json`. A method the
   * document does not list for a path gets 405 with `Allow`, and OPTIONS gets 204 with `Allow`.
   */
  expressRouter(): Router {
    const outer = express.Router();
    const document = this.openApiDocument();
    outer.use(methodGuard(this.pathTable()));
    outer.get(`${this.basePath}/openapi.json`, (_req, res) => {
      res.json(document);
    });
    outer.use(this.basePath, this.router);
    return outer;
  }

  /**
   * The route template (`/api/items/:id`) a request path falls under, whatever its method: known
   * before routing, so a request refused on the way (a body that is not JSON) is labelled with it.
   */
  templateFor(path: string): string | undefined {
    return this.documentedPath(path)?.template;
  }

  /** The documented path a request path falls under, with the methods it serves. */
  documentedPath(path: string): DocumentedPath | undefined {
    return this.pathTable().find(({ regex }) => regex.test(path));
  }

  private table: DocumentedPath[] | undefined;
  private pathTable(): DocumentedPath[] {
    this.table ??= pathTable(this.openApiDocument().paths as Record<string, Record<string, unknown>>);
    return this.table;
  }

  openApiDocument(): Record<string, unknown> {
    return {
      openapi: '3.1.0',
      info: this.info,
      paths: {
        [`${this.basePath}/openapi.json`]: {
          get: {
            operationId: 'getOpenApiDocument',
            summary: 'This OpenAPI document',
            responses: { 200: { description: 'OpenAPI 3.1 document', content: { 'application/json': {} } } },
          },
        },
        ...this.paths,
      },
      components: {
        schemas: { Error: jsonSchema(ErrorSchema, 'output') },
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          refreshCookie: { type: 'apiKey', in: 'cookie', name: 'refresh_token' },
        },
      },
    };
  }

  private document<B extends Schema, Q extends Schema, P extends Schema>(spec: RouteSpec<B, Q, P>): void {
    const openApiPath = `${this.basePath}${spec.path}`.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '') || '/';
    const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      const isError = Number(status) >= 400;
      responses[status] = {
        description: response.description,
        ...(response.headers ? { headers: response.headers } : {}),
        ...(response.schema
          ? { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } }
          : isError
            ? { content: errorContent }
            : {}),
      };
    }
    const generic: Record<string, string> = {};
    if (spec.body || spec.query || spec.params)
      generic['400'] = 'Malformed request; details name each invalid field';
    if (spec.body) {
      generic['413'] = 'Request body too large';
      generic['415'] = 'Request body is not JSON';
    }
    if (spec.security === 'bearer') generic['401'] = 'Missing, invalid or expired access token';
    generic['503'] = 'A dependency (database or upstream service) is unavailable';
    for (const [status, description] of Object.entries(generic)) {
      responses[status] ??= { description, content: errorContent };
    }
    responses.default = { description: 'Unexpected error', content: errorContent };

    const parameters = [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')];
    this.paths[openApiPath] ??= {};
    this.paths[openApiPath][spec.method] = {
      operationId: spec.operationId,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.security
        ? { security: [{ [spec.security]: [] }, ...(spec.securityOptional ? [{}] : [])] }
        : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
}

/**
 * Path and query parameters arrive as text; each is documented by the value it parses to (`page`
 * as an integer with its bounds, `ids` as a list), which is how OpenAPI describes parameters.
 * A list is sent comma-separated (`style: form, explode: false`).
 */
function parametersOf(schema: Schema, location: 'path' | 'query'): Record<string, unknown>[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const documented = jsonSchema(field, 'output');
    return {
      name,
      in: location,
      required: location === 'path' || !field.safeParse(undefined).success,
      schema: documented,
      ...(documented.type === 'array' ? { style: 'form', explode: false } : {}),
    };
  });
}

/**
 * Stand-ins for a router's dependencies (database models, clients, verifiers, settings) when the
 * router is built only to read its OpenAPI document: no database or other service is needed, since
 * route declarations only capture their dependencies for the handlers. Every property read is
 * another stand-in, and calling or converting one throws, so a handler that ran by mistake fails
 * loudly. Each service package's `openApiDocument()` (src/openapi.ts) builds its document this way.
 */
export function documentOnlyDependencies<T extends object>(service: string): T {
  const misuse = (what: string) => () => {
    throw new Error(`${what}, but the ${service} routers were built only for their OpenAPI document`);
  };
  const standIn = (path: string): unknown =>
    // A function target, so that calling and `new` reach the traps below.
    new Proxy(function target() {}, {
      get: (_target, property) =>
        property === Symbol.toPrimitive || property === 'toString' || property === 'valueOf'
          ? misuse(`${path} was read as a value`)
          : standIn(`${path}.${String(property)}`),
      apply: misuse(`${path}() was called`),
      construct: misuse(`new ${path}() was called`),
    });
  return standIn('dependencies') as T;
}

const PATH_METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** A path of the OpenAPI document, matched as a request path. */
export interface DocumentedPath {
  regex: RegExp;
  templated: boolean;
  methods: string[];
  allow: string;
  /** Express style: `/api/items/:id`. */
  template: string;
}

/** Each documented path with the methods it serves, literal paths before templated ones. */
function pathTable(paths: Record<string, Record<string, unknown>>): DocumentedPath[] {
  return Object.entries(paths)
    .map(([template, operations]): DocumentedPath => {
      const methods = PATH_METHODS.filter((method) => operations[method] !== undefined).map((method) =>
        method.toUpperCase(),
      );
      if (methods.includes('GET')) methods.push('HEAD');
      const pattern = template
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return {
        // Express routes ignore case and a trailing slash; the guard must match the same requests.
        regex: new RegExp(`^${pattern}/?$`, 'i'),
        templated: template.includes('{'),
        methods,
        allow: [...methods, 'OPTIONS'].join(', '),
        template: template.replace(/\{(\w+)\}/g, ':$1'),
      };
    })
    .sort((a, b) => Number(a.templated) - Number(b.templated));
}

/**
 * What the app matched on arrival, kept so the method guard need not match the path again: a
 * documented path, null for none, undefined when the router runs without the app's arrival layer.
 */
export function recordDocumentedPath(res: Response, path: DocumentedPath | null): void {
  res.locals.documentedPath = path;
}

function documentedPathOf(res: Response): DocumentedPath | null | undefined {
  return res.locals.documentedPath as DocumentedPath | null | undefined;
}

/**
 * Answers a method the document does not list for a path: 405 with `Allow` (RFC 9110), and
 * OPTIONS with 204 and `Allow`. Paths match as OpenAPI matches them: literal paths before
 * templated ones, so `PATCH /api/items/categories` is refused rather than routed to `{id}`.
 */
function methodGuard(table: DocumentedPath[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const recorded = documentedPathOf(res);
    const entry =
      recorded === undefined
        ? table.find(({ regex }) => regex.test(req.path))
        : recorded !== null && table.includes(recorded)
          ? recorded
          : undefined;
    if (!entry || entry.methods.includes(req.method)) {
      next();
      return;
    }
    res.setHeader('Allow', entry.allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next(
      new HttpError(
        405,
        'METHOD_NOT_ALLOWED',
        `${req.method} is not allowed here; use ${entry.methods.join(', ')}`,
      ),
    );
  };
}
