import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { DEFAULT_REPLICA_SETTINGS, defaultServerSettings, type AppConfig, type ReplicaSettings, type ServerSettings } from '../config';
import { ReplicaMonitor } from '../db/replica-monitor';
import { ReplicaRoutingDriver } from '../db/replicas';
import { EventBus } from '../events/event-bus';
import { LiveResolver } from '../events/live-resolution';
import { AccountSweeper } from '../users/account-sweeper';
import { SessionGuard } from '../users/session-guard';
import { clientAddress } from './client-address';
import { createContext, routeReads, type Context, type ContextDeps } from './context';
import { CompiledExecutor } from './compiled-executor';
import { CompiledGateway } from './compiled-gateway';
import { formatError } from './errors';
import { Health } from './health';
import { httpErrorHandler, jsonBody } from './http-errors';
import { QueryProtection } from './limits';
import { responseTypePlugin } from './response-type';
import { createLogger, loggingContextFailure, requestId, requestLogPlugin, type Logger } from './logger';
import { ServiceMetrics } from './metrics';
import { metricsPlugin } from './metrics-plugin';
import { startMetricsServer, type MetricsServer } from './metrics-server';
import { NodeMount } from './node-mount';
import { Playground } from './playground';
import { buildSchema } from './schema';
import { webSocketOptions } from './websocket';

export interface App {
  /** `http://host:port/graphql` */
  url: string;
  httpServer: Server;
  /** `/readyz`; `health.markShuttingDown()` is the first step of a graceful stop. */
  health: Health;
  /** `http://host:port/metrics` on its own listener, when `config.metrics` is set. */
  metricsUrl?: string;
  /** Stops accepting, lets in-flight operations finish, closes subscriptions (1001). The ORM is the caller's. */
  stop(): Promise<void>;
}

export interface AppOptions {
  orm: MikroORM;
  /** Settings left out take their defaults for `production` (see `defaultServerSettings`). */
  config: Pick<AppConfig, 'host' | 'port' | 'jwtSecret' | 'tokenTtlSeconds' | 'production'> &
    Partial<ServerSettings> & Pick<AppConfig, 'subscriptionQueueCapacity'> & { reportStatementCount?: boolean; replicas?: Pick<ReplicaSettings, 'maxLagMs' | 'checkIntervalMs'> };
  logger?: Logger;
  /** Plugins added after the app's own (tests: a plugin that watches every request). */
  plugins?: ApolloServerPlugin<Context>[];
}

export async function startApp({ orm, config: given, logger = createLogger('info'), plugins = [] }: AppOptions): Promise<App> {
  const config = { ...defaultServerSettings(given.production), ...given };
  const schema = buildSchema();
  const protection = new QueryProtection(schema, config);
  const replicas = replicaMonitor(orm, config.replicas ?? DEFAULT_REPLICA_SETTINGS, logger);
  await replicas?.start();
  const health = new Health(orm, logger, replicas);
  const eventBus = new EventBus(orm.config.getClientUrl(), (error) => logger.error({ err: error }, 'Event bus error'), config.subscriptionQueueCapacity);
  eventBus.resolveWith(new LiveResolver(orm));
  await eventBus.start();
  const sessions = new SessionGuard(orm, eventBus, (error) => logger.error({ err: error }, 'Session check failed'));
  const deps: ContextDeps = { orm, tokens: config, sessions, accounts: config.accounts, eventBus };
  const sweeper = new AccountSweeper(orm, config.accounts, (error) => logger.error({ err: error }, 'Account sweep failed'));
  const httpServer = createServer();
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: config.limits.maxBodyBytes });
  const executor = config.graphqlJit ? new CompiledExecutor(schema) : undefined;
  const metrics = config.metrics && new ServiceMetrics(config.metrics, orm, eventBus, () => wsServer.clients.size);
  const wsCleanup = useServer(
    webSocketOptions({ schema, deps, protection, logger, executor, metrics, trustProxyHops: config.accounts.trustProxyHops }),
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    ...schemaOrGateway(schema, executor),
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
      responseTypePlugin(),
      ...(config.apolloReporting ? [] : implicitReportingDisabled()),
      { async serverWillStart() { return { drainServer: async () => { sweeper.stop(); await wsCleanup.dispose(); await eventBus.stop(); await replicas?.stop(); } }; } },
      protection.costPlugin(),
      releaseOperations,
      // Without replicas every connection is the primary: nothing to route, so no hook on each request.
      ...(replicas ? [readRouting] : []),
      requestLogPlugin(logger, config.slowOperationMs),
      ...(metrics ? [metricsPlugin(metrics)] : []),
      ...(config.reportStatementCount ? [reportStatementCount] : []),
      ...plugins,
    ],
  });
  await apollo.start();

  const createRequestContext = (req: IncomingMessage) =>
    loggingContextFailure(logger, req, createContext(deps, req.headers.authorization, clientAddress(req, config.accounts.trustProxyHops)));
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
    expressMiddleware(apollo, { context: ({ req }) => createRequestContext(req) }),
  );
  app.use(httpErrorHandler(logger, config.limits.maxBodyBytes));
  if (config.httpMount === 'express') {
    httpServer.on('request', app);
  } else {
    const mount = new NodeMount({ apollo, logger, maxBodyBytes: config.limits.maxBodyBytes, playground: Boolean(playground), createContext: createRequestContext });
    httpServer.on('request', (req, res) => mount.handle(req, res, app));
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  let metricsServer: MetricsServer | undefined;
  if (metrics && config.metrics) {
    metricsServer = await startMetricsServer(metrics.registry, config.metrics.host, config.metrics.port).catch(async (error: unknown) => {
      await apollo.stop();
      throw error;
    });
  }
  return {
    url: `http://${config.host}:${port}/graphql`,
    httpServer,
    health,
    metricsUrl: metricsServer?.url,
    async stop() {
      await apollo.stop();
      await metricsServer?.close();
    },
  };
}

/** With replicas configured: their monitor, whose verdicts route reads and show in `/readyz`. */
function replicaMonitor(orm: MikroORM, settings: Pick<ReplicaSettings, 'maxLagMs' | 'checkIntervalMs'>, logger: Logger): ReplicaMonitor | undefined {
  const driver = orm.em.getDriver();
  if (!(driver instanceof ReplicaRoutingDriver) || driver.replicaConnections().length === 0) return undefined;
  return new ReplicaMonitor(driver, settings, (status) => {
    if (status.state === 'streaming') logger.info({ replica: status }, `Read replica ${status.name} (${status.address}) is streaming`);
    else logger.warn({ replica: status }, `Read replica ${status.name} (${status.address}) is ${status.state}: its reads go elsewhere`);
  });
}

/** The schema for Apollo's own executor, or a gateway whose executor runs compiled operations. */
function schemaOrGateway(schema: GraphQLSchema, executor: CompiledExecutor | undefined): { schema: GraphQLSchema } | { gateway: CompiledGateway } {
  return executor ? { gateway: new CompiledGateway(schema, executor) } : { schema };
}

/** What Apollo installs on its own when left alone; with `APOLLO_KEY` set, Apollo's defaults stand. */
function implicitReportingDisabled(): ApolloServerPlugin<Context>[] {
  return [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()];
}

/** Once the operation is known: a query may read from a replica, anything else reads from the primary. */
const readRouting: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, contextValue }) {
        routeReads(contextValue, operation?.operation);
      },
    };
  },
};

/**
 * Each HTTP operation lets its fork and its loaders' rows go once its response is ready: its resolvers are
 * done then. This is about garbage collection. In gateway mode Apollo hands the executor, for each request, an
 * object whose `status` accessors close over that request's context. Measured with `--trace-gc`, those contexts
 * then outlive young-generation collections until a full one: about 8 KB promoted to the old generation per
 * lookup, 30 KB per page, and scavenges took 12–15% of the service's thread (README, "Performance").
 */
const releaseOperations: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue }) {
        contextValue.release();
      },
    };
  },
};

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
