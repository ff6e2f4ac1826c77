import { randomUUID } from 'node:crypto';
import { getOperationAST, GraphQLError, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { CompiledExecutor } from './compiled-executor';
import type { Context as ConnectionContext, ServerOptions } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import { clientAddress } from './client-address';
import { createContext, routeReads, type Context, type ContextDeps } from './context';
import { formatError, isExpected, rootCause } from './errors';
import type { QueryProtection } from './limits';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';

type ConnectionParams = { authorization?: string };
type WsContext = ConnectionContext<ConnectionParams, Extra>;

interface Connection {
  /** Written as `reqId` on each log line about the connection's operations. */
  id: string;
  userId: number | null;
}

export interface WebSocketOptions {
  schema: GraphQLSchema;
  deps: ContextDeps;
  protection: QueryProtection;
  logger: Logger;
  /** Runs every operation, as over HTTP; absent, graphql-js does. */
  executor?: CompiledExecutor;
  /** Counts subscription events sent. */
  metrics?: ServiceMetrics;
  /** Proxies trusted to append to `X-Forwarded-For` (see client-address.ts). */
  trustProxyHops?: number;
}

/**
 * graphql-ws on `/graphql`, held to the HTTP path's rules: the token is checked when the connection opens
 * (an invalid or expired one closes it with 4403), every operation is parsed, validated and costed by the
 * same QueryProtection, and errors reach the client formatted (masked) as over HTTP.
 */
export function webSocketOptions({ schema, deps, protection, logger, executor, metrics, trustProxyHops = 0 }: WebSocketOptions): ServerOptions<ConnectionParams, Extra> {
  const connections = new WeakMap<WsContext, Connection>();
  const format = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));
  const logUnexpected = (ctx: WsContext, id: string, errors: readonly GraphQLError[]) => {
    const connection = connections.get(ctx);
    for (const error of errors) {
      if (!isExpected(error)) logger.error({ reqId: connection?.id, opId: id, userId: connection?.userId, err: rootCause(error) }, 'Unexpected error');
    }
  };

  const addressOf = (ctx: WsContext) => clientAddress(ctx.extra.request, trustProxyHops);

  return {
    schema,
    ...(executor && {
      execute: (args: ExecutionArgs) => executor.execute({ ...args, operation: getOperationAST(args.document, args.operationName) }),
      // Subscribers who see alike (the same viewer) share each event's result (SPEC section 13).
      subscribe: (args: ExecutionArgs) =>
        executor.subscribe({ ...args, operation: getOperationAST(args.document, args.operationName), shareKey: String((args.contextValue as Context).viewerId) }),
    }),
    // A bad token (or one naming no user) refuses the connection (close code 4403) rather than each operation.
    onConnect: async (ctx) => {
      const id = randomUUID();
      try {
        const context = await createContext(deps, authorizationParam(ctx.connectionParams), addressOf(ctx));
        connections.set(ctx, { id, userId: context.viewerId });
        if (context.viewerId !== null && context.sessionId !== null) {
          const { socket } = ctx.extra;
          const untrack = deps.sessions.track({ userId: context.viewerId, sessionId: context.sessionId, close: (code, reason) => socket.close(code, reason) });
          socket.once('close', untrack);
        }
        return true;
      } catch (error) {
        if (isExpected(error)) return false;
        logger.error({ reqId: id, err: error }, 'Unexpected error while authenticating');
        throw new Error('Internal server error');
      }
    },
    onSubscribe: async (ctx, _id, payload) => {
      const checked = protection.check(payload.query, payload.operationName, payload.variables);
      if ('errors' in checked) return checked.errors;
      try {
        const contextValue = await createContext(deps, authorizationParam(ctx.connectionParams), addressOf(ctx));
        routeReads(contextValue, getOperationAST(checked.document, payload.operationName)?.operation);
        const { socket } = ctx.extra;
        contextValue.closeConnection = (code, reason) => socket.close(code, reason);
        return { schema, document: checked.document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      } catch (error) {
        // Reported (and logged when unexpected) by onError, like every other refusal.
        return [error instanceof GraphQLError ? error : new GraphQLError('Context creation failed', { originalError: error as Error })];
      }
    },
    onOperation: (ctx, id, _payload, args) => {
      if (!logger.isLevelEnabled('info')) return;
      const connection = connections.get(ctx);
      const operation = getOperationAST(args.document, args.operationName)?.name?.value ?? null;
      logger.info({ reqId: connection?.id, opId: id, operation, userId: connection?.userId ?? null, transport: 'ws' }, 'Operation');
    },
    onNext: (ctx, id, _payload, args, result) => {
      if (metrics && getOperationAST(args.document, args.operationName)?.operation === 'subscription') metrics.delivered();
      if (!result.errors) return;
      logUnexpected(ctx, id, result.errors);
      return { ...result, errors: format(result.errors) };
    },
    onError: (ctx, id, _payload, errors) => {
      logUnexpected(ctx, id, errors);
      return format(errors);
    },
  };
}

function authorizationParam(params: Record<string, unknown> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : undefined;
}
