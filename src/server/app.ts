import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ApiError } from '../common/errors';
import type { AppConfig } from '../config';
import { EventBus } from '../events/event-bus';
import { createContext, KnownUsers, type Context, type ContextDeps } from './context';
import { formatError } from './errors';
import { buildSchema } from './schema';

export interface App {
  /** `http://host:port/graphql` */
  url: string;
  httpServer: Server;
  /** Stops accepting, lets in-flight operations finish, closes subscriptions. The ORM is the caller's. */
  stop(): Promise<void>;
}

export interface AppOptions {
  orm: MikroORM;
  config: Pick<AppConfig, 'host' | 'port' | 'jwtSecret' | 'tokenTtlSeconds' | 'production'> & { reportStatementCount?: boolean };
  logError?: (error: unknown) => void;
}

export async function startApp({ orm, config, logError = (error) => console.error(error) }: AppOptions): Promise<App> {
  const schema = buildSchema();
  const eventBus = new EventBus(orm.config.getClientUrl(), logError);
  await eventBus.start();
  const deps: ContextDeps = { em: orm.em, tokens: config, knownUsers: new KnownUsers(), eventBus };
  const format = formatError(logError);
  const httpServer = createServer();
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<{ authorization?: string }>(
    {
      schema,
      // A bad token refuses the connection (close code 4403) rather than failing each operation.
      onConnect: async (ctx) => {
        try {
          await createContext(deps, authorizationParam(ctx.connectionParams));
          return true;
        } catch (error) {
          if (error instanceof ApiError) return false;
          throw error;
        }
      },
      context: (ctx) => createContext(deps, authorizationParam(ctx.connectionParams)),
      // The same masking as over HTTP: expected errors keep their code, anything else is logged and hidden.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => format(error.toJSON(), error)) } : undefined,
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    formatError: format,
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Shutdown is ordered by main.ts: stop serving, then the ORM, then the database.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are used; left on, it wraps every field resolver of every request.
      ApolloServerPluginCacheControlDisabled(),
      { async serverWillStart() { return { drainServer: async () => { await wsCleanup.dispose(); await eventBus.stop(); } }; } },
      ...(config.reportStatementCount ? [reportStatementCount] : []),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  // GraphQL POST responses are not cacheable: hashing each body for an ETag is wasted work.
  app.set('etag', false);
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, { context: ({ req }) => createContext(deps, req.headers.authorization) }),
  );
  httpServer.on('request', app);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://${config.host}:${port}/graphql`,
    httpServer,
    stop: () => apollo.stop(),
  };
}

/** Adds `extensions.sqlStatements` to each response (tests and benchmarks: N+1 shows as a growing count). */
const reportStatementCount: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        result.extensions = { ...result.extensions, sqlStatements: contextValue.sql.statementCount };
      },
    };
  },
};

function authorizationParam(params: Record<string, unknown> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : undefined;
}
