import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../src/db/orm-config';
import { replicaOptions } from '../src/db/replicas';
import { startApp, type App } from '../src/server/app';
import { createLogger } from '../src/server/logger';
import { serveServer } from './child';

/**
 * The real service, as `npm start` runs it (production settings), on the database given as argv[2].
 * `--statements` adds the statement count to each response, for the nested-query check only.
 * `--metrics` turns `/metrics` on (to measure its cost per request).
 * `--baseline` is the same server with the gateway executor (graphql-jit) and the `node:http` mount of
 * `/graphql` switched off: graphql-js `execute` behind express, which the report sets beside the default.
 * `--replica=<url>` reads from that replica (`npm run bench -- --replica`).
 */
const [url, jwtSecret, ...flags] = process.argv.slice(2);

/** `--metrics`: the metrics plugin and gauges on, as with `METRICS_PORT` set (its listener on a free port). */
const METRICS_SETTINGS: Record<string, unknown> = { metrics: { host: '127.0.0.1', port: 0, maxOperations: 100 } };

/**
 * Loosely typed so that it spreads into the config whether or not this build's `ServerSettings` has these
 * settings yet; where it does not, they are ignored and the baseline runs as the default server.
 */
const BASELINE_SETTINGS: Record<string, unknown> = { graphqlJit: false, httpMount: 'express' };
let app: App | undefined;
let orm: MikroORM | undefined;

async function start(): Promise<string> {
  const replicas = flags.filter((flag) => flag.startsWith('--replica=')).map((flag) => flag.slice('--replica='.length));
  orm = await MikroORM.init(ormConfig(url, replicaOptions(replicas)));
  app = await startApp({
    orm,
    config: {
      host: '127.0.0.1',
      port: 0,
      jwtSecret,
      tokenTtlSeconds: 3600,
      production: true,
      reportStatementCount: flags.includes('--statements'),
      ...(flags.includes('--baseline') ? BASELINE_SETTINGS : {}),
      ...(flags.includes('--metrics') ? METRICS_SETTINGS : {}),
    },
    // Warnings and errors only: a log line per request would measure the terminal.
    logger: createLogger('warn'),
  });
  return app.url;
}

serveServer(start);

process.on('SIGTERM', () => {
  void (async () => {
    await app?.stop();
    await orm?.close(true);
    process.exit(0);
  })();
});
