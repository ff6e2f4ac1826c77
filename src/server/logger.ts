import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Context } from './context';
import { isExpected, rootCause } from './errors';

export type { Logger };

/** Variables whose values never reach a log, at any depth and in any casing. */
const SECRET_KEY = /password|token|secret|authorization/i;
const REQUEST_ID = /^[\w.:-]{1,100}$/;

export type LogFormat = 'json' | 'pretty';

/**
 * `LOG_FORMAT` (`json` or `pretty`); by default pretty lines where a person reads them (a terminal, outside
 * production), JSON lines everywhere else (production, a pipe, a log collector).
 */
export function logFormat(env: NodeJS.ProcessEnv, production: boolean, terminal: boolean): LogFormat {
  const format = env.LOG_FORMAT?.toLowerCase();
  if (format === 'json' || format === 'pretty') return format;
  if (format) throw new Error(`LOG_FORMAT must be json or pretty, got "${env.LOG_FORMAT}"`);
  return terminal && !production ? 'pretty' : 'json';
}

/**
 * JSON lines on stdout (or `destination`), at `LOG_LEVEL`; authorization headers are never written. `pretty`:
 * one coloured line per entry, its fields at the end (pino-pretty, in this thread, so nothing is lost at exit).
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: ['headers.authorization', 'req.headers.authorization', 'connectionParams.authorization'], censor: '[redacted]' },
    },
    format === 'pretty' ? pretty({ destination: destination ?? 1, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : destination,
  );
}

/**
 * Gives each HTTP request an id: the load balancer's `X-Request-Id` when it sent a sane one, else a new
 * UUID. Echoed in the response and written on every log line about the request.
 */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    assignRequestId(req, res);
    next();
  };
}

/** The request's id (see `requestId`), set on the request's headers and the response's. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.headers['x-request-id'] = id;
  res.setHeader('x-request-id', id);
  return id;
}

export function requestIdOf(req: IncomingMessage): string | undefined {
  const id = req.headers['x-request-id'];
  return typeof id === 'string' ? id : undefined;
}

/**
 * One line per operation (request id, operation name, user id, duration, error codes): info, or warn when
 * slower than `slowOperationMs`. Each unexpected error is logged once more at error level with its cause.
 * Variables are written at debug level only, with secrets blanked.
 */
export function requestLogPlugin(logger: Logger, slowOperationMs: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      const reqId = request.http?.headers.get('x-request-id');
      return {
        async didEncounterErrors({ errors, operationName, contextValue }) {
          logUnexpectedErrors(logger, errors, { reqId, operation: operationName, context: contextValue });
        },
        async willSendResponse({ response, operationName, contextValue }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          logOperation(logger, slowOperationMs, { started, reqId, operation: operationName, context: contextValue, errors: result?.errors, variables: request.variables });
        },
      };
    },
  };
}

export interface OperationOutcome {
  /** `performance.now()` when the request started. */
  started: number;
  reqId: string | undefined;
  operation: string | null | undefined;
  context: Context | undefined;
  errors: readonly GraphQLFormattedError[] | undefined;
  variables: unknown;
}

/** The operation's line: info, or warn when slower than `slowOperationMs`; variables at debug level only. */
export function logOperation(logger: Logger, slowOperationMs: number, outcome: OperationOutcome): void {
  const durationMs = Math.round(performance.now() - outcome.started);
  const slow = durationMs >= slowOperationMs;
  if (!slow && !logger.isLevelEnabled('info')) return;
  const entry: Record<string, unknown> = { reqId: outcome.reqId, operation: outcome.operation ?? null, userId: outcome.context?.viewerId ?? null, durationMs };
  if (outcome.errors) entry.errors = outcome.errors.map((error) => error.extensions?.code);
  if (logger.isLevelEnabled('debug')) entry.variables = withoutSecrets(outcome.variables);
  if (slow) logger.warn(entry, 'Slow operation');
  else logger.info(entry, 'Operation');
}

/** Each error that is not the client's doing, once, at error level with its root cause. */
export function logUnexpectedErrors(logger: Logger, errors: readonly GraphQLError[], about: Pick<OperationOutcome, 'reqId' | 'operation' | 'context'>): void {
  for (const error of errors) {
    if (!isExpected(error)) {
      logger.error({ reqId: about.reqId, operation: about.operation, userId: about.context?.viewerId, path: error.path, err: rootCause(error) }, 'Unexpected error');
    }
  }
}

/** Logs an unexpected failure of the context factory (Apollo reports it without the request id). */
export async function loggingContextFailure<T>(logger: Logger, req: IncomingMessage, context: Promise<T>): Promise<T> {
  try {
    return await context;
  } catch (error) {
    if (!isExpected(error)) logger.error({ reqId: requestIdOf(req), err: error }, 'Unexpected error while authenticating');
    throw error;
  }
}

export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? '[redacted]' : withoutSecrets(inner)]));
}
