import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where the running code's `src/` and `migrations/` are: the project root under tsx, `dist/` once built (`npm run build`). */
export const codeRoot = resolve(__dirname, '..');

/**
 * The project root (the nearest folder with a package.json): `schema/`, and `.data/` (embedded PostgreSQL,
 * development secret) unless `DATA_DIR` says otherwise.
 */
export const projectRoot = packageRoot(codeRoot);
export const dataDir = process.env.DATA_DIR ? resolve(process.env.DATA_DIR) : join(projectRoot, '.data');

/** What a single GraphQL request may ask for; refused before it reaches the database. */
export interface QueryLimits {
  /** Largest HTTP request body (larger: 413) or WebSocket message; `BODY_LIMIT` is bytes, `100kb` or `1mb`. */
  maxBodyBytes: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** Estimated objects returned: each object field, times every enclosing `first` (see query-cost.ts). */
  maxCost: number;
}

/** How long a request may wait on the database before it fails. */
export interface DatabaseTimeouts {
  /** `statement_timeout` of every connection. */
  statementTimeoutMs: number;
  /** Opening a new connection (the server is down or unreachable). */
  connectTimeoutMs: number;
  /** Waiting for a free connection from the pool. */
  acquireTimeoutMs: number;
}

/** `GET /metrics` (Prometheus), on a listener of its own; unset (no `METRICS_PORT`): not served at all. */
export interface MetricsSettings {
  /** `METRICS_HOST`, default 127.0.0.1 whatever `HOST` is: exposing metrics is a choice of its own. */
  host: string;
  /** `METRICS_PORT`; must differ from `PORT`. */
  port: number;
  /** `METRICS_MAX_OPERATIONS` (100): distinct operation names given a label of their own; later ones count as `other`. */
  maxOperations: number;
}

/** Read replicas (SPEC section 14): where reads outside a unit of work may go, and when a replica is not used. */
export interface ReplicaSettings {
  /** `DATABASE_REPLICA_URLS`, comma-separated; empty: every statement goes to `DATABASE_URL`. */
  urls: string[];
  /** A replica further behind the primary than this serves no reads until it catches up. */
  maxLagMs: number;
  /** How often each replica's replay position is compared with the primary's. */
  checkIntervalMs: number;
}

/** How many attempts a key may make per window; past it the key is locked, each lockout twice as long as the last. */
export interface ThrottleRule {
  /** 0 turns the rule off. */
  limit: number;
  windowSeconds: number;
}

/** Sign-in, sign-up and password-change throttling (SPEC section 15), counted in PostgreSQL by every process. */
export interface AccountSettings {
  /** Password checks (signIn, changePassword) per username, known or not; signUp counts its own per username alike. */
  signInPerUsername: ThrottleRule;
  /** Failed password checks per client address. */
  signInPerAddress: ThrottleRule;
  /** signUp calls per client address. */
  signUpPerAddress: ThrottleRule;
  /** The longest lock, however often a key was locked before. */
  maxLockSeconds: number;
  /** Proxies in front of the server that append to `X-Forwarded-For`; 0: the TCP peer is the client. */
  trustProxyHops: number;
}

export interface AppConfig {
  host: string;
  port: number;
  /** Unset: `npm start` runs an embedded PostgreSQL under `.data/postgres`. */
  databaseUrl?: string;
  jwtSecret: string;
  /** How long a token from signUp/signIn stays valid. */
  tokenTtlSeconds: number;
  logLevel: string;
  production: boolean;
  limits: QueryLimits;
  database: DatabaseTimeouts;
  replicas: ReplicaSettings;
  /** Schema introspection, field suggestions in errors and the GraphiQL page: on outside production. */
  introspection: boolean;
  fieldSuggestions: boolean;
  playground: boolean;
  /** Operations slower than this are logged at warn. */
  slowOperationMs: number;
  /** What serves `/graphql` over HTTP: `node:http` straight into Apollo, or express and body-parser (for comparison). */
  httpMount: 'node' | 'express';
  /** Queries and mutations run by graphql-jit, compiled once per document; off: Apollo's own executor (graphql-js). */
  graphqlJit: boolean;
  /**
   * `APOLLO_KEY` is set: Apollo's implicit plugins (usage and schema reporting, inline traces) are left as Apollo
   * installs them; unset, they are off.
   */
  apolloReporting: boolean;
  accounts: AccountSettings;
  /** On SIGTERM, how long `/readyz` reports 503 before the server stops accepting (the load balancer's reaction time). */
  shutdownDelayMs: number;
  metrics?: MetricsSettings;
  /**
   * Events one subscription may have waiting (its client reads too slowly) before its connection is closed with
   * close code 4008 (`SUBSCRIPTION_QUEUE_CAPACITY`, 1000, unless set).
   */
  subscriptionQueueCapacity?: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxBodyBytes: 1024 * 1024,
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 20,
  maxTokens: 5000,
  maxCost: 10_000,
};

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  signInPerUsername: { limit: 5, windowSeconds: 15 * 60 },
  signInPerAddress: { limit: 100, windowSeconds: 15 * 60 },
  signUpPerAddress: { limit: 20, windowSeconds: 60 * 60 },
  maxLockSeconds: 24 * 60 * 60,
  trustProxyHops: 0,
};

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = {
  statementTimeoutMs: 15_000,
  connectTimeoutMs: 5_000,
  acquireTimeoutMs: 5_000,
};

export const DEFAULT_REPLICA_SETTINGS: ReplicaSettings = { urls: [], maxLagMs: 5_000, checkIntervalMs: 1_000 };

/** What the HTTP/WebSocket server needs beyond address and tokens; `loadConfig` reads each from the environment. */
export type ServerSettings = Pick<
  AppConfig,
  'limits' | 'introspection' | 'fieldSuggestions' | 'playground' | 'slowOperationMs' | 'httpMount' | 'graphqlJit' | 'apolloReporting' | 'metrics' | 'accounts'
>;

export function defaultServerSettings(production: boolean): ServerSettings {
  return {
    limits: DEFAULT_LIMITS,
    introspection: !production,
    fieldSuggestions: !production,
    playground: !production,
    slowOperationMs: 1000,
    httpMount: 'node',
    graphqlJit: true,
    apolloReporting: false,
    metrics: undefined,
    accounts: DEFAULT_ACCOUNT_SETTINGS,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const production = env.NODE_ENV === 'production';
  const number = (name: string, fallback: number) => parseCount(name, env[name], fallback);
  const flag = (name: string, fallback: boolean) => parseFlag(name, env[name], fallback);
  const defaults = defaultServerSettings(production);
  return {
    host: env.HOST || '127.0.0.1',
    port: parsePort(env.PORT),
    databaseUrl: env.DATABASE_URL || undefined,
    jwtSecret: env.JWT_SECRET || (production ? missingSecret() : developmentSecret()),
    tokenTtlSeconds: number('TOKEN_TTL_SECONDS', 7 * 24 * 3600),
    logLevel: env.LOG_LEVEL || 'info',
    production,
    limits: {
      maxBodyBytes: parseSize('BODY_LIMIT', env.BODY_LIMIT, DEFAULT_LIMITS.maxBodyBytes),
      maxDepth: number('MAX_QUERY_DEPTH', DEFAULT_LIMITS.maxDepth),
      maxAliases: number('MAX_QUERY_ALIASES', DEFAULT_LIMITS.maxAliases),
      maxDirectives: number('MAX_QUERY_DIRECTIVES', DEFAULT_LIMITS.maxDirectives),
      maxTokens: number('MAX_QUERY_TOKENS', DEFAULT_LIMITS.maxTokens),
      maxCost: number('MAX_QUERY_COST', DEFAULT_LIMITS.maxCost),
    },
    database: {
      statementTimeoutMs: number('DB_STATEMENT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.statementTimeoutMs),
      connectTimeoutMs: number('DB_CONNECT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.connectTimeoutMs),
      acquireTimeoutMs: number('DB_ACQUIRE_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.acquireTimeoutMs),
    },
    replicas: {
      urls: parseUrls(env.DATABASE_REPLICA_URLS),
      maxLagMs: number('DATABASE_REPLICA_MAX_LAG_MS', DEFAULT_REPLICA_SETTINGS.maxLagMs),
      checkIntervalMs: number('DATABASE_REPLICA_CHECK_MS', DEFAULT_REPLICA_SETTINGS.checkIntervalMs),
    },
    introspection: flag('INTROSPECTION', defaults.introspection),
    fieldSuggestions: flag('FIELD_SUGGESTIONS', defaults.fieldSuggestions),
    playground: flag('PLAYGROUND', defaults.playground),
    slowOperationMs: number('SLOW_OPERATION_MS', defaults.slowOperationMs),
    httpMount: parseChoice('HTTP_MOUNT', env.HTTP_MOUNT, ['node', 'express'] as const, defaults.httpMount),
    graphqlJit: flag('GRAPHQL_JIT', defaults.graphqlJit),
    apolloReporting: Boolean(env.APOLLO_KEY),
    accounts: loadAccountSettings(number),
    shutdownDelayMs: number('SHUTDOWN_DELAY_MS', 0),
    metrics: parseMetrics(env),
    subscriptionQueueCapacity: parseQueueCapacity(env.SUBSCRIPTION_QUEUE_CAPACITY),
  };
}

function parseMetrics(env: NodeJS.ProcessEnv): MetricsSettings | undefined {
  if (env.METRICS_PORT === undefined || env.METRICS_PORT === '') return undefined;
  const port = parsePort(env.METRICS_PORT, 'METRICS_PORT');
  if (port !== 0 && port === parsePort(env.PORT)) throw new Error(`METRICS_PORT must differ from PORT (${port}): metrics are never served beside the API`);
  return {
    host: env.METRICS_HOST || '127.0.0.1',
    port,
    maxOperations: parseCount('METRICS_MAX_OPERATIONS', env.METRICS_MAX_OPERATIONS, 100),
  };
}

function loadAccountSettings(number: (name: string, fallback: number) => number): AccountSettings {
  const defaults = DEFAULT_ACCOUNT_SETTINGS;
  const rule = (prefix: string, fallback: ThrottleRule): ThrottleRule => ({
    limit: number(`${prefix}_LIMIT`, fallback.limit),
    windowSeconds: Math.max(1, number(`${prefix}_WINDOW_SECONDS`, fallback.windowSeconds)),
  });
  return {
    signInPerUsername: rule('SIGNIN_USERNAME', defaults.signInPerUsername),
    signInPerAddress: rule('SIGNIN_ADDRESS', defaults.signInPerAddress),
    signUpPerAddress: rule('SIGNUP_ADDRESS', defaults.signUpPerAddress),
    maxLockSeconds: Math.max(1, number('THROTTLE_MAX_LOCK_SECONDS', defaults.maxLockSeconds)),
    trustProxyHops: number('TRUST_PROXY_HOPS', defaults.trustProxyHops),
  };
}

function parsePort(raw: string | undefined, name = 'PORT'): number {
  if (raw === undefined || raw === '') return 4000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be 0-65535, got "${raw}"`);
  return port;
}

function parseUrls(raw: string | undefined): string[] {
  const urls = (raw ?? '').split(',').map((url) => url.trim()).filter(Boolean);
  for (const url of urls) {
    if (!/^postgres(ql)?:\/\//.test(url) || !URL.canParse(url)) throw new Error(`DATABASE_REPLICA_URLS must be comma-separated postgres:// URLs, got "${url}"`);
  }
  return urls;
}

function parseCount(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

function parseQueueCapacity(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = parseCount('SUBSCRIPTION_QUEUE_CAPACITY', raw, 0);
  if (value < 1) throw new Error(`SUBSCRIPTION_QUEUE_CAPACITY must be at least 1, got "${raw}"`);
  return value;
}

function parseSize(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw.trim());
  if (!match) throw new Error(`${name} must be a size such as 65536, 100kb or 1mb, got "${raw}"`);
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(match[1]) * unit;
}

function parseFlag(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function parseChoice<T extends string>(name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  if (raw === undefined || raw === '') return fallback;
  const choice = choices.find((candidate) => candidate === raw.toLowerCase());
  if (!choice) throw new Error(`${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  return choice;
}

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

function missingSecret(): never {
  throw new Error('JWT_SECRET must be set when NODE_ENV=production');
}

/** Outside production a secret is generated once and kept, so tokens survive restarts. */
function developmentSecret(): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
