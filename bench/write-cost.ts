import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { ormConfig } from '../src/db/orm-config';
import { startApp } from '../src/server/app';
import { createContext, type ContextDeps } from '../src/server/context';
import { createLogger } from '../src/server/logger';
import { SessionGuard } from '../src/users/session-guard';
import { DEFAULT_ACCOUNT_SETTINGS } from '../src/config';
import { clientBody, clientHeaders } from './client-request';
import { seededDatabase } from './migration-scenario';

/**
 * `npm run bench:write-cost`: the CPU of this process (service, ORM, driver; not PostgreSQL's) per cold write,
 * in-process, one operation context per call as a request builds it, after a warm-up: the figures of
 * docs/database.md, "Cold writes are entity changes". Environment: CALLS (2000), WARMUP (500).
 */
const CALLS = Number(process.env.CALLS ?? 2_000);
const WARMUP = Number(process.env.WARMUP ?? 500);
const settings = { host: '127.0.0.1', port: 0, jwtSecret: 'write-cost', tokenTtlSeconds: 3600, production: true, reportStatementCount: false, accounts: { ...DEFAULT_ACCOUNT_SETTINGS, signUpPerAddress: { limit: 0, windowSeconds: 3600 } } };

async function cpuMsPerCall(call: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await call(-i - 1);
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) await call(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / CALLS;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'itimeline-write-cost-'));
  const postgres = await startEmbeddedPostgres({ dataDir: join(root, 'pg'), persistent: false });
  const orm = await MikroORM.init(ormConfig(await seededDatabase(postgres.url, 'bench_write_cost', async () => undefined)));
  const app = await startApp({ orm, config: settings, logger: createLogger('silent') });
  try {
    // Every setup operation is named `Setup`, as a client would send it.
    const gql = async (query: string, variables: Record<string, unknown>, token?: string) => {
      const response = await fetch(app.url, { method: 'POST', headers: clientHeaders(token), body: clientBody('Setup', query, variables) });
      const { data, errors } = (await response.json()) as { data?: any; errors?: unknown };
      if (errors) throw new Error(JSON.stringify(errors));
      return data;
    };
    const signUp = async (username: string) =>
      (await gql(`mutation Setup($u: String!) { signUp(username: $u, password: "correct horse battery") { token user { id } } }`, { u: username })).signUp;
    const admin = await signUp('write_cost_admin');
    const member = await signUp('write_cost_member');
    const community = (await gql(`mutation Setup { createTimeline(input: { name: "WriteCost", type: COMMUNITY }) { id } }`, {}, admin.token)).createTimeline;
    await gql(`mutation Setup($id: ID!) { joinTimeline(id: $id) { state } }`, { id: community.id }, member.token);

    const deps: ContextDeps = { orm, tokens: settings, sessions: new SessionGuard(orm, undefined), accounts: settings.accounts };
    const context = () => createContext(deps, `Bearer ${admin.token}`);
    const create = await cpuMsPerCall(async (i) => (await context()).timelines.create({ name: `Cost_${i}`, type: 'hashtag' }));
    const createCommunity = await cpuMsPerCall(async (i) => (await context()).timelines.create({ name: `CostCommunity_${i}`, type: 'community' }));
    const setRole = await cpuMsPerCall(async (i) => (await context()).memberships.setRole(community.id, member.user.id, i % 2 ? 'member' : 'moderator'));
    console.log(`cpu ms per call over ${CALLS} (node ${process.version}): createTimeline hashtag ${create.toFixed(3)}, community ${createCommunity.toFixed(3)}, setMemberRole ${setRole.toFixed(3)}`);
  } finally {
    await app.stop();
    await orm.close(true);
    await postgres.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
