import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The project root: `.data/` (embedded PostgreSQL, development secret) lives under it. */
export const projectRoot = resolve(__dirname, '..');
export const dataDir = join(projectRoot, '.data');

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
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const production = env.NODE_ENV === 'production';
  return {
    host: env.HOST || '127.0.0.1',
    port: parsePort(env.PORT),
    databaseUrl: env.DATABASE_URL || undefined,
    jwtSecret: env.JWT_SECRET || (production ? missingSecret() : developmentSecret()),
    tokenTtlSeconds: Number(env.TOKEN_TTL_SECONDS) || 7 * 24 * 3600,
    logLevel: env.LOG_LEVEL || 'info',
    production,
  };
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0-65535, got "${raw}"`);
  return port;
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
