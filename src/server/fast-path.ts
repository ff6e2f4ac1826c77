import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { getOperationAST, parse, validate, type DocumentNode, type GraphQLError, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Context } from './context';
import { formatError } from './errors';
import { failRequest, refuseRequest } from './http-errors';
import type { QueryProtection } from './limits';
import { assignRequestId, logOperation, logUnexpectedErrors, type Logger } from './logger';

export interface FastPathOptions {
  schema: GraphQLSchema;
  protection: QueryProtection;
  logger: Logger;
  maxBodyBytes: number;
  slowOperationMs: number;
  reportStatementCount: boolean;
  createContext(authorization: string | undefined): Promise<Context>;
  /** False once the server is stopping: Apollo then answers, as it does for everything else. */
  serving(): boolean;
}

/** Apollo's answer to everything the fast path leaves, with the body already read (`req.body`). */
export type Fallback = (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => void;

/** Documents kept compiled, and the longest query text worth keeping (longer ones are rare: Apollo runs them). */
const DOCUMENT_CACHE_SIZE = 500;
const MAX_CACHED_QUERY_LENGTH = 20_000;

/**
 * The common request, `POST /graphql` with a JSON body, the same answer as Apollo's for less work: the
 * body is read straight from the socket, documents are parsed, validated (with every limit) and compiled
 * by graphql-jit once per distinct text, and a request then costs its variables' cost check, its context
 * and its execution. Anything else goes to Apollo unchanged: other methods, paths, media types or body
 * fields, any request refused before it runs (parse, validation, limits, variables, credentials), and
 * every request once the server is stopping. A request that reaches a resolver is answered here.
 */
export class FastPath {
  private readonly documents = new Map<string, CompiledDocument>();

  constructor(private readonly options: FastPathOptions) {}

  handle(req: IncomingMessage, res: ServerResponse, fallback: Fallback): void {
    if (!this.accepts(req)) {
      fallback(req, res);
      return;
    }
    this.answer(req, res, fallback).catch((error: unknown) => failRequest(this.options.logger, req, res, error));
  }

  /** The request's shape alone, before its body is read. */
  private accepts(req: IncomingMessage): boolean {
    if (req.method !== 'POST' || req.url !== '/graphql' || !this.options.serving()) return false;
    const { headers } = req;
    const length = Number(headers['content-length']);
    return (
      Number.isSafeInteger(length) &&
      length <= this.options.maxBodyBytes &&
      headers['transfer-encoding'] === undefined &&
      JSON_TYPE.test(headers['content-type'] ?? '') &&
      (headers.accept === undefined || ACCEPTS_JSON.test(headers.accept))
    );
  }

  private async answer(req: IncomingMessage, res: ServerResponse, fallback: Fallback): Promise<void> {
    const started = performance.now();
    const reqId = assignRequestId(req, res);
    const text = await readBody(req);
    if (text === undefined) return; // the client went away mid-body
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      refuseRequest(this.options.logger, req, res, 400, (error as Error).message, 'entity.parse.failed');
      return;
    }
    // As Apollo's body parser (strict JSON): an object, or an array (a batch, which Apollo refuses).
    if (body === null || typeof body !== 'object') {
      refuseRequest(this.options.logger, req, res, 400, 'The request body must be a JSON object', 'entity.parse.failed');
      return;
    }
    const request = graphQLRequestOf(body);
    const prepared = request && this.prepare(request);
    if (!request || !prepared) return fallback(Object.assign(req, { body }), res);

    let context: Context;
    try {
      context = await this.options.createContext(req.headers.authorization);
    } catch {
      // Refused credentials, or no database: Apollo reports it (and logs what is unexpected).
      return fallback(Object.assign(req, { body }), res);
    }
    const result = await prepared.compiled.query(undefined, context, request.variables ?? {});
    // Variables that do not fit the operation: nothing has run, Apollo answers.
    if (!('data' in result)) return fallback(Object.assign(req, { body }), res);

    const { logger, slowOperationMs, reportStatementCount } = this.options;
    const operation = prepared.operation.name?.value ?? null;
    const about = { reqId, operation, context };
    let status = 200;
    let errors: GraphQLFormattedError[] | undefined;
    if (result.errors?.length) {
      logUnexpectedErrors(logger, result.errors, about);
      errors = result.errors.map((error) => {
        const { formatted, httpStatus } = normalized(error);
        if (httpStatus) status = httpStatus;
        return formatSafely(formatted, error);
      });
    }
    const extensions = reportStatementCount ? { ...result.extensions, sqlStatements: context.statements.count } : result.extensions;
    logOperation(logger, slowOperationMs, { ...about, started, errors, variables: request.variables });
    const json = `${JSON.stringify({ errors, data: result.data, extensions })}\n`;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) }).end(json);
  }

  /** The request's document, valid and compiled, and its operation: undefined when Apollo should answer. */
  private prepare(request: GraphQLRequest): PreparedOperation | undefined {
    const { query, operationName, variables } = request;
    const document = this.documentFor(query);
    const prepared = document?.operation(operationName);
    if (!prepared || prepared.operation.operation === 'subscription') return undefined;
    try {
      this.options.protection.checkCost(document!.document, prepared.operation, variables);
    } catch {
      return undefined;
    }
    return prepared;
  }

  /** Least recently used documents leave first; only valid ones are kept. */
  private documentFor(query: string): CompiledDocument | undefined {
    const cached = this.documents.get(query);
    if (cached) {
      this.documents.delete(query);
      this.documents.set(query, cached);
      return cached;
    }
    if (query.length > MAX_CACHED_QUERY_LENGTH) return undefined;
    let document: DocumentNode;
    try {
      document = parse(query, this.options.protection.parseOptions);
    } catch {
      return undefined;
    }
    if (validate(this.options.schema, document, this.options.protection.rules).length > 0) return undefined;
    const compiled = new CompiledDocument(this.options.schema, document);
    if (this.documents.size >= DOCUMENT_CACHE_SIZE) this.documents.delete(this.documents.keys().next().value!);
    this.documents.set(query, compiled);
    return compiled;
  }
}

interface GraphQLRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

interface PreparedOperation {
  operation: OperationDefinitionNode;
  compiled: CompiledQuery;
}

/** A valid document and its operations, each compiled on first use. */
class CompiledDocument {
  /** By operation name, as requested (none: the document's only operation). */
  private readonly operations = new Map<string | undefined, PreparedOperation | null>();

  constructor(
    private readonly schema: GraphQLSchema,
    readonly document: DocumentNode,
  ) {}

  /** Undefined when the name does not pick exactly one operation (Apollo explains why). */
  operation(name: string | undefined): PreparedOperation | undefined {
    let prepared = this.operations.get(name);
    if (prepared === undefined) {
      const operation = getOperationAST(this.document, name);
      const compiled = operation && compileQuery(this.schema, this.document, name);
      prepared = operation && compiled && isCompiledQuery(compiled) ? { operation, compiled } : null;
      this.operations.set(name, prepared);
    }
    return prepared ?? undefined;
  }
}

const JSON_TYPE = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;
/** The `Accept` values for which Apollo answers `application/json; charset=utf-8`. */
const ACCEPTS_JSON = /^(\*\/\*|application\/json)?$/;

/** The body as text; undefined when the client goes away before sending all of it. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
    req.on('close', () => req.complete || resolve(undefined));
  });
}

/** A body of exactly the fields the fast path serves, each of the type GraphQL over HTTP asks for. */
function graphQLRequestOf(body: unknown): GraphQLRequest | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { query, operationName, variables, ...rest } = body as Record<string, unknown>;
  if (typeof query !== 'string' || Object.keys(rest).length > 0) return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  return { query, operationName: operationName ?? undefined, variables: (variables as Record<string, unknown>) ?? undefined };
}

/**
 * What Apollo hands `formatError` (its errorNormalize): a code on every error, and `extensions.http` taken
 * out as the response's status.
 */
function normalized(error: GraphQLError): { formatted: GraphQLFormattedError; httpStatus?: number } {
  const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions?.code ?? 'INTERNAL_SERVER_ERROR' };
  const http = extensions.http as { status?: unknown } | undefined;
  delete extensions.http;
  const httpStatus = http && typeof http.status === 'number' ? http.status : undefined;
  return { formatted: { ...error.toJSON(), extensions }, httpStatus };
}

function formatSafely(formatted: GraphQLFormattedError, error: GraphQLError): GraphQLFormattedError {
  try {
    return formatError(formatted, error);
  } catch {
    return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
}
