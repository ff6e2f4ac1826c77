import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { issueToken } from '../src/users/tokens';
import { startChild, type Child } from './child';
import type { LoadResult } from './load-process';
import { seededDatabase } from './migration-scenario';
import { median } from './report';
import { BENCH_SESSION_ID, seedDataset } from './seed';
import type { Dataset, ScenarioName } from './workload';

/**
 * `npm run bench:compare -- <scenarios> <tree> <tree>...`: the service of each working tree (a checkout of any
 * commit with `bench/service-process.ts`, e.g. a `git worktree`), all on one database seeded and migrated by this
 * tree, measured in turn on the same load, round after round in rotated order. Server CPU per request compares
 * versions far better than separate bench runs: they share the database, its growth and the machine's drift.
 * Environment: ROUNDS (5), SECONDS (5, after 2 of warm-up), TIMELINES (100000); PROFILE=1 writes each service's
 * CPU profile under bench/results/profiles/compare-<n>/ (n: the tree's place in the arguments).
 */
const [scenarioList, ...trees] = process.argv.slice(2);
if (!scenarioList || trees.length === 0) {
  console.error('usage: npm run bench:compare -- lookup,page,ingest <tree> [<tree>...]');
  process.exit(2);
}
const scenarios = scenarioList.split(',') as ScenarioName[];
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 5);
const dataset: Dataset = { label: 'compare', timelines: Number(process.env.TIMELINES ?? 100_000), events: 10_000, hot: 200 };
const JWT_SECRET = 'bench-secret';
const CONNECTIONS = 32;

/** The service of `tree`, run from that tree (its own `tsx` settings and code). */
function startService(tree: string, n: number, url: string): Promise<Child> {
  const profile = process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(__dirname, 'results', 'profiles', `compare-${n}`)}`] : [];
  return startChild(join(tree, 'bench', 'service-process.ts'), [url, JWT_SECRET], { cwd: tree, execArgv: profile });
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'itimeline-compare-'));
  const postgres = await startEmbeddedPostgres({ dataDir: join(root, 'pg'), persistent: false, settings: { shared_buffers: '512MB', max_connections: '200' } });
  const children: Child[] = [];
  try {
    const url = await seededDatabase(postgres.url, 'bench_compare', (db) => seedDataset(db, dataset));
    const { token } = issueToken({ jwtSecret: JWT_SECRET, tokenTtlSeconds: 24 * 3600 }, 1, BENCH_SESSION_ID);
    const servers: Child[] = [];
    for (const [n, tree] of trees.entries()) servers.push(await startService(resolve(tree), n + 1, url));
    children.push(...servers);
    const load = await startChild('load-process.ts', []);
    children.push(load);

    const cpu = new Map<string, number[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const scenario of scenarios) {
        for (let k = 0; k < servers.length; k++) {
          const i = (k + round - 1) % servers.length;
          const request = { scenario, dataset, connections: CONNECTIONS, token, url: servers[i].ready as string };
          await load.call<LoadResult>({ type: 'run', request: { ...request, seconds: 2 } });
          const before = await servers[i].call<number>({ type: 'cpu' });
          const result = await load.call<LoadResult>({ type: 'run', request: { ...request, seconds: SECONDS } });
          const msPerRequest = ((await servers[i].call<number>({ type: 'cpu' })) - before) / Math.max(result.requests, 1);
          const key = `${scenario}\t${trees[i]}`;
          cpu.set(key, [...(cpu.get(key) ?? []), msPerRequest]);
          console.log(`round ${round} ${scenario} ${trees[i]}: ${result.requestsPerSecond.toFixed(0)} req/s, ${msPerRequest.toFixed(3)} cpu ms/req, ${result.errors} errors`);
        }
      }
    }
    console.log('\nserver CPU ms per request: median (min) of the rounds, and the ratio of medians to the first tree');
    for (const scenario of scenarios) {
      const first = median(cpu.get(`${scenario}\t${trees[0]}`)!);
      for (const tree of trees) {
        const values = cpu.get(`${scenario}\t${tree}`)!;
        console.log(`${scenario}\t${median(values).toFixed(3)} (${Math.min(...values).toFixed(3)})\t${(median(values) / first).toFixed(2)}x\t${tree}`);
      }
    }
  } finally {
    for (const child of children) await child.stop();
    await postgres.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
