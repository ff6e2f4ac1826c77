import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_SETTINGS, DEFAULT_DATABASE_TIMEOUTS, DEFAULT_LIMITS, DEFAULT_REPLICA_SETTINGS, loadConfig } from '../../src/config';

const secret = { JWT_SECRET: 'a-secret-of-the-operators' };

describe('loadConfig', () => {
  it('requires JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set/);
    expect(loadConfig({ NODE_ENV: 'production', ...secret }).jwtSecret).toBe(secret.JWT_SECRET);
  });

  it('closes introspection, suggestions and the playground in production, opens them elsewhere', () => {
    expect(loadConfig({ NODE_ENV: 'production', ...secret })).toMatchObject({ introspection: false, fieldSuggestions: false, playground: false });
    expect(loadConfig({ NODE_ENV: 'development', ...secret })).toMatchObject({ introspection: true, fieldSuggestions: true, playground: true });
    expect(loadConfig({ NODE_ENV: 'production', INTROSPECTION: 'true', ...secret }).introspection).toBe(true);
  });

  it('reads SUBSCRIPTION_QUEUE_CAPACITY (unset: the event bus default), refusing less than 1', () => {
    expect(loadConfig(secret).subscriptionQueueCapacity).toBeUndefined();
    expect(loadConfig({ ...secret, SUBSCRIPTION_QUEUE_CAPACITY: '250' }).subscriptionQueueCapacity).toBe(250);
    expect(() => loadConfig({ ...secret, SUBSCRIPTION_QUEUE_CAPACITY: '0' })).toThrow(/SUBSCRIPTION_QUEUE_CAPACITY must be at least 1/);
    expect(() => loadConfig({ ...secret, SUBSCRIPTION_QUEUE_CAPACITY: 'many' })).toThrow(/SUBSCRIPTION_QUEUE_CAPACITY must be a whole number/);
  });

  it('reads limits, timeouts and thresholds from the environment', () => {
    const config = loadConfig({
      ...secret,
      BODY_LIMIT: '100kb',
      MAX_QUERY_DEPTH: '7',
      MAX_QUERY_COST: '500',
      DB_STATEMENT_TIMEOUT_MS: '2000',
      DB_ACQUIRE_TIMEOUT_MS: '800',
      SLOW_OPERATION_MS: '250',
      LOG_LEVEL: 'warn',
      SHUTDOWN_DELAY_MS: '0',
      HTTP_MOUNT: 'express',
      GRAPHQL_JIT: 'off',
    });
    expect(config.limits).toEqual({ ...DEFAULT_LIMITS, maxBodyBytes: 100 * 1024, maxDepth: 7, maxCost: 500 });
    expect(config.database).toEqual({ ...DEFAULT_DATABASE_TIMEOUTS, statementTimeoutMs: 2000, acquireTimeoutMs: 800 });
    expect(config).toMatchObject({ slowOperationMs: 250, logLevel: 'warn', shutdownDelayMs: 0, httpMount: 'express', graphqlJit: false });
    expect(loadConfig(secret)).toMatchObject({ httpMount: 'node', graphqlJit: true, apolloReporting: false });
    expect(loadConfig({ ...secret, APOLLO_KEY: 'service:x:y' }).apolloReporting).toBe(true);
  });

  it('reads the read replicas, comma-separated, and their lag limit', () => {
    expect(loadConfig(secret).replicas).toEqual(DEFAULT_REPLICA_SETTINGS);
    const config = loadConfig({
      ...secret,
      DATABASE_REPLICA_URLS: 'postgres://u:p@replica-1:5432/itimeline, postgres://u:p@replica-2:5432/itimeline,',
      DATABASE_REPLICA_MAX_LAG_MS: '2000',
    });
    expect(config.replicas).toEqual({ ...DEFAULT_REPLICA_SETTINGS, urls: ['postgres://u:p@replica-1:5432/itimeline', 'postgres://u:p@replica-2:5432/itimeline'], maxLagMs: 2000 });
    expect(() => loadConfig({ ...secret, DATABASE_REPLICA_URLS: 'replica-1:5432' })).toThrow(/DATABASE_REPLICA_URLS/);
  });

  it('reads the sign-in throttles and the trusted proxy depth, with documented defaults', () => {
    expect(loadConfig(secret).accounts).toEqual({
      signInPerUsername: { limit: 5, windowSeconds: 900 },
      signInPerAddress: { limit: 100, windowSeconds: 900 },
      signUpPerAddress: { limit: 20, windowSeconds: 3600 },
      maxLockSeconds: 86_400,
      trustProxyHops: 0,
    });
    const config = loadConfig({ ...secret, SIGNIN_USERNAME_LIMIT: '3', SIGNIN_ADDRESS_WINDOW_SECONDS: '60', SIGNUP_ADDRESS_LIMIT: '0', TRUST_PROXY_HOPS: '2' });
    expect(config.accounts).toEqual({
      ...DEFAULT_ACCOUNT_SETTINGS,
      signInPerUsername: { limit: 3, windowSeconds: 900 },
      signInPerAddress: { limit: 100, windowSeconds: 60 },
      signUpPerAddress: { limit: 0, windowSeconds: 3600 },
      trustProxyHops: 2,
    });
    expect(() => loadConfig({ ...secret, TRUST_PROXY_HOPS: 'yes' })).toThrow(/TRUST_PROXY_HOPS/);
  });

  it('refuses malformed settings instead of guessing', () => {
    expect(() => loadConfig({ ...secret, MAX_QUERY_DEPTH: 'deep' })).toThrow(/MAX_QUERY_DEPTH/);
    expect(() => loadConfig({ ...secret, BODY_LIMIT: '1gigabyte' })).toThrow(/BODY_LIMIT/);
    expect(() => loadConfig({ ...secret, INTROSPECTION: 'maybe' })).toThrow(/INTROSPECTION/);
    expect(() => loadConfig({ ...secret, HTTP_MOUNT: 'fastify' })).toThrow(/HTTP_MOUNT must be one of node, express/);
  });
});
