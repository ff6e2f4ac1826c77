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
import { defaultServerSettings, type AppConfig, type ServerSettings } from '../config';
import { EventBus } from '../events/event-bus';
import { createContext, KnownUsers, type Context, type ContextDeps } from './context';
import { formatError } from './errors';
import { FastPath } from './fast-path';
import { Health } from './health';
import { httpErrorHandler, jsonBody } from './http-errors';
import { QueryProtection } from './limits';
import { createLogger, loggingContextFailure, requestId, requestLogPlugin, type Logger } from './logger';
import { Playground } from './playground';
import { buildSchema } from './schema';
import { webSocketOptions } from './websocket';

export interface App {
  /** `http://host:port/graphql` */
  url: string;
  httpServer: Server;
  /** `/readyz`; `health.markShuttingDown()` is the first step of a graceful stop. */
  health: Health;
  /** Stops accepting, lets in-flight operations finish, closes subscriptions (1001). The ORM is the caller's. */
  stop(): Promise<void>;
}

export interface AppOptions {
  orm: MikroORM;
  /** Settings left out take their defaults for `production` (see `defaultServerSettings`). */
  config: Pick<AppConfig, 'host' | 'port' | 'jwtSecret' | 'tokenTtlSeconds' | 'production'> &
    Partial<ServerSettings> & { reportStatementCount?: boolean };
  logger?: Logger;
}

export async function startApp({ orm, config: given, logger = createLogger('info') }: AppOptions): Promise<App> {
  const config = { ...defaultServerSettings(given.production), ...given };
  const schema = buildSchema();
  const protection = new QueryProtection(schema, config);
  const health = new Health(orm, logger);
  const eventBus = new EventBus(orm.config.getClientUrl(), (error) => logger.error({ err: error }, 'Event bus error'));
  await eventBus.start();
  const deps: ContextDeps = { orm, tokens: config, knownUsers: new KnownUsers(), eventBus };
  const httpServer = createServer();
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: config.limits.maxBodyBytes });
  const wsCleanup = useServer(webSocketOptions({ schema, deps, protection, logger }), wsServer);

  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: !config.fieldSuggestions,
    validationRules: protection.validationRules,
    parseOptions: protection.parseOptions,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Shutdown is ordered by main.ts: readiness, stop serving, then the ORM, then the database.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are used; left on, it wraps every field resolver of every request.
      ApolloServerPluginCacheControlDisabled(),
      { async serverWillStart() { return { drainServer: async () => { await wsCleanup.dispose(); await eventBus.stop(); } }; } },
      protection.costPlugin(),
      requestLogPlugin(logger, config.slowOperationMs),
      ...(config.reportStatementCount ? [reportStatementCount] : []),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  // GraphQL POST responses are not cacheable: hashing each body for an ETag is wasted work.
  app.set('etag', false);
  app.use(requestId());
  app.use(health.router());
  const playground = config.playground ? new Playground() : undefined;
  if (playground) app.use(playground.assetRouter());
  app.use(
    '/graphql',
    ...(playground ? [playground.page()] : []),
    ...jsonBody(config.limits.maxBodyBytes),
    expressMiddleware(apollo, { context: ({ req }) => loggingContextFailure(logger, req, createContext(deps, req.headers.authorization)) }),
  );
  app.use(httpErrorHandler(logger, config.limits.maxBodyBytes));
  let serving = true;
  const fastPath = new FastPath({
    schema,
    protection,
    logger,
    maxBodyBytes: config.limits.maxBodyBytes,
    slowOperationMs: config.slowOperationMs,
    reportStatementCount: config.reportStatementCount ?? false,
    createContext: (authorization) => createContext(deps, authorization),
    serving: () => serving,
  });
  httpServer.on('request', !config.fastPath ? app : (req, res) => fastPath.handle(req, res, app));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://${config.host}:${port}/graphql`,
    httpServer,
    health,
    async stop() {
      serving = false;
      await apollo.stop();
    },
  };
}

/** Adds `extensions.sqlStatements` to each response (tests and benchmarks: N+1 shows as a growing count). */
const reportStatementCount: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        result.extensions = { ...result.extensions, sqlStatements: contextValue.statements.count };
      },
    };
  },
};
