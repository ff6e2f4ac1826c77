import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { projectRoot } from '../src/config';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { buildSchema } from '../src/server/schema';
import { issueToken } from '../src/users/tokens';
import { startChild, type Child } from './child';
import { APOLLO_CLIENT, clientBody, clientHeaders } from './client-request';
import type { LoadRequest, LoadResult } from './load-process';
import { printLiveReport, runLiveBench } from './live-scenario';
import { runMigrationScenario, seededDatabase } from './migration-scenario';
import { printReplicaReport, runReplicaBench } from './replica-scenario';
import { p99Growth, printReport, summarise, type Run, type Target } from './report';
import { BENCH_SESSION_ID, seedDataset, seedWindows } from './seed';
import { NESTED_QUERY, NESTED_WINDOW_QUERY, OPERATION_NAMES, QUERIES, WINDOW_SCENARIOS, type Dataset, type ScenarioName } from './workload';

const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
/** The service (not the baseline) with `/metrics` on: its cost per request is the difference to a run without. */
const metrics = process.argv.includes('--metrics');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
/** `--replica`: only the read scenarios, primary alone against primary plus one streaming replica (replica.json). */
const replica = process.argv.includes('--replica');
/** `--live`: only the live-updates scenario (live.json); `--live-sizes=1000,10000` overrides its sizes. */
const live = process.argv.includes('--live');
const liveSizes = process.argv.find((arg) => arg.startsWith('--live-sizes='))?.slice('--live-sizes='.length).split(',').map(Number);

/** Full: 15 s measured after 3 s of warm-up, 3 interleaved rounds. Quick: the same shape, shorter and smaller. */
const PLAN = quick
  ? { warmup: 1, seconds: 2, rounds: 3, large: { timelines: 100_000, events: 10_000 }, legacy: { timelines: 30_000, events: 3_000 } }
  : { warmup: 3, seconds: 15, rounds: 3, large: { timelines: 1_000_000, events: 100_000 }, legacy: { timelines: 1_000_000, events: 100_000 } };
const CONNECTIONS = 32;
/** The service's pool (`ormConfig`) and the floor's are the same size. */
const POOL_SIZE = 10;
const JWT_SECRET = 'bench-secret';

const DATASETS: Dataset[] = [
  { label: '1k', timelines: 1_000, events: 10_000, hot: 200 },
  { label: quick ? '100k' : '1M', ...PLAN.large, hot: 200 },
];
const INGEST_DATASET = DATASETS[1];

/**
 * The window scenarios read one timeline of each size (listings, a tenth hidden from the viewer), all in one
 * database (`seedWindows`) served by one service and one floor; the baseline is left out of them (its
 * difference to the service is the executor and the mount, measured by the other scenarios). The sizes are
 * the same in quick runs: what a count costs at 1M listings is the question. Counts and histograms are driven
 * by a few clients (AGGREGATE_CONNECTIONS), as when they read every listing of their window (before per-day
 * counts, 32 clients only queued and timed out), so that their figures compare across versions.
 */
const WINDOW_SIZES = [10_000, 100_000, 1_000_000];
const AGGREGATE_CONNECTIONS = 4;
const connectionsFor = (scenario: ScenarioName) => (scenario === 'count' || scenario === 'histogram' ? AGGREGATE_CONNECTIONS : CONNECTIONS);
const sizeLabel = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1_000}k`);
const WINDOW_DATASETS: Dataset[] = WINDOW_SIZES.map((size, i) => ({
  label: `w${sizeLabel(size)}`,
  timelines: WINDOW_SIZES.length + 2,
  events: size,
  hot: 0,
  windowTimeline: i + 1,
}));
const windows = !only || WINDOW_SCENARIOS.some((scenario) => only.includes(scenario));

/**
 * The order the three servers are measured in, rotated each round: each is measured first, second and
 * third once in three rounds, so a drift in the machine's load does not favour one.
 */
const TARGETS: Target[] = ['service', 'baseline', 'floor'];
const orderOf = (round: number) => TARGETS.map((_, i) => TARGETS[(i + round - 1) % TARGETS.length]);

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

const POSTGRES_SETTINGS = { shared_buffers: '512MB', max_connections: '200', max_wal_size: '4GB', checkpoint_timeout: '30min' };

async function main(): Promise<void> {
  const startedAt = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'itimeline-bench-'));
  if (replica) return replicaBench(root, startedAt);
  if (live) return liveBench(root, startedAt);
  const postgres = await startEmbeddedPostgres({
    dataDir: join(root, 'pg'),
    persistent: false,
    settings: POSTGRES_SETTINGS,
  });
  const children: Child[] = [];
  try {
    const urls = new Map<string, string>();
    const seeded = (name: string, seed: (db: pg.Client) => Promise<void>) => seededDatabase(postgres.url, name, seed);
    for (const dataset of DATASETS) {
      log(`seeding ${dataset.label}: ${dataset.timelines} timelines, ${dataset.events} events`);
      urls.set(dataset.label, await seeded(`bench_${dataset.label.toLowerCase()}`, (db) => seedDataset(db, dataset)));
    }
    if (windows) {
      log(`seeding windows: timelines of ${WINDOW_SIZES.join(', ')} listings`);
      const url = await seeded('bench_windows', (db) => seedWindows(db, WINDOW_SIZES));
      for (const dataset of WINDOW_DATASETS) urls.set(dataset.label, url);
    }

    const ingestion = buildSchema().getMutationType()?.getFields().createEvent !== undefined;
    const { token } = issueToken({ jwtSecret: JWT_SECRET, tokenTtlSeconds: 24 * 3600 }, 1, BENCH_SESSION_ID);

    log('statements per request');
    const statements = await countStatements(urls.get(DATASETS[0].label)!, token, ingestion);

    const targets = new Map<string, Partial<Record<Target, Child>>>();
    const start = (url: string, label: string, target: Target) =>
        target === 'floor'
        ? startChild('floor-process.ts', [url, String(POOL_SIZE), JWT_SECRET], { execArgv: profileArgs(`floor-${label}`) })
        : startChild('service-process.ts', [url, JWT_SECRET, ...(target === 'baseline' ? ['--baseline'] : metrics ? ['--metrics'] : [])], {
            execArgv: profileArgs(`${target}-${label}`),
          });
    for (const dataset of DATASETS) {
      const url = urls.get(dataset.label)!;
      const started = {
        service: await start(url, dataset.label, 'service'),
        baseline: await start(url, dataset.label, 'baseline'),
        floor: await start(url, dataset.label, 'floor'),
      };
      children.push(...Object.values(started));
      targets.set(dataset.label, started);
    }
    if (windows) {
      const url = urls.get(WINDOW_DATASETS[0].label)!;
      const started = { service: await start(url, 'windows', 'service'), floor: await start(url, 'windows', 'floor') };
      children.push(...Object.values(started));
      for (const dataset of WINDOW_DATASETS) targets.set(dataset.label, started);
    }
    const load = await startChild('load-process.ts', []);
    children.push(load);

    const scenarios: { scenario: ScenarioName; dataset: Dataset }[] = [
      ...DATASETS.flatMap((dataset) => (['lookup', 'page'] as const).map((scenario) => ({ scenario, dataset }))),
      // Only when asked for: what the request path costs before any statement.
      ...(only?.includes('typename') ? [{ scenario: 'typename' as const, dataset: DATASETS[0] }] : []),
      { scenario: 'ingest' as const, dataset: INGEST_DATASET },
      { scenario: 'retag' as const, dataset: INGEST_DATASET },
      ...WINDOW_DATASETS.flatMap((dataset) => WINDOW_SCENARIOS.map((scenario) => ({ scenario, dataset }))),
    ].filter(({ scenario }) => !only || only.includes(scenario));
    const runs: Run[] = [];
    for (let round = 1; round <= PLAN.rounds; round++) {
      for (const { scenario, dataset } of scenarios) {
        const servers = targets.get(dataset.label)!;
        for (const target of orderOf(round)) {
          if (target !== 'floor' && (scenario === 'ingest' || scenario === 'retag') && !ingestion) continue;
          const server = servers[target];
          if (!server) continue;
          const result = await measure(load, server, { scenario, dataset, connections: connectionsFor(scenario), seconds: PLAN.seconds, token });
          log(`round ${round} ${scenario}@${dataset.label} ${target}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99} ms, ` +
            `${result.cpuMsPerRequest.toFixed(3)} cpu ms/req, ${result.errors} errors`);
          runs.push({ round, scenario, dataset: dataset.label, target, ...result });
        }
      }
    }
    for (const child of children.splice(0)) await child.stop();

    const migration = only && !only.includes('migration') ? { skipped: 'not selected (--only)' } : await runMigrationScenario(postgres.url, PLAN.legacy, log);

    const report = {
      commit: gitCommit(),
      date: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      node: process.version,
      plan: {
        ...PLAN,
        connections: CONNECTIONS,
        aggregateConnections: AGGREGATE_CONNECTIONS,
        poolSize: POOL_SIZE,
        datasets: DATASETS,
        windowDatasets: windows ? WINDOW_DATASETS : [],
      },
      requests: { shape: 'Apollo Client 4 (HttpLink defaults)', headers: clientHeaders('<token of user 1>'), extensions: { clientLibrary: APOLLO_CLIENT } },
      targets: {
        service: metrics ? 'the service as configured by default, with /metrics on (METRICS_PORT)' : 'the service as configured by default',
        baseline: 'the same server with the gateway executor and the node:http mount switched off (graphqlJit: false, httpMount: express)',
        floor: 'bench/floor.ts: node:http + pg, SQL of its own',
      },
      ingestion: ingestion ? 'createEvent' : 'floor only: the schema has no createEvent mutation yet',
      scenarios: summarise(runs),
      p99Growth: p99Growth(summarise(runs)),
      statements,
      migration,
      runs,
      totalSeconds: Math.round((Date.now() - startedAt) / 1000),
    };
    const resultsDir = join(projectRoot, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    printReport(report);
    log(`done in ${report.totalSeconds} s; bench/results/latest.json written`);
  } finally {
    for (const child of children) await child.stop();
    await postgres.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

async function replicaBench(root: string, startedAt: number): Promise<void> {
  try {
    const plan = {
      warmup: PLAN.warmup,
      seconds: PLAN.seconds,
      rounds: PLAN.rounds,
      connections: CONNECTIONS,
      dataset: DATASETS[0],
      settings: POSTGRES_SETTINGS,
      jwtSecret: JWT_SECRET,
      token: issueToken({ jwtSecret: JWT_SECRET, tokenTtlSeconds: 24 * 3600 }, 1, BENCH_SESSION_ID).token,
    };
    const result = await runReplicaBench(root, plan, log);
    const report = { commit: gitCommit(), date: new Date().toISOString(), mode: quick ? 'quick' : 'full', cpus: cpus().length, cpuModel: cpus()[0]?.model, ...result };
    const resultsDir = join(projectRoot, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'replica.json'), `${JSON.stringify(report, null, 2)}\n`);
    printReplicaReport(result, report.cpus);
    log(`done in ${Math.round((Date.now() - startedAt) / 1000)} s; bench/results/replica.json written`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function liveBench(root: string, startedAt: number): Promise<void> {
  try {
    const plan = {
      sizes: liveSizes ?? (quick ? [200, 1_000] : [1_000, 10_000]),
      others: 1_000,
      seconds: quick ? 5 : 30,
      perSecond: 50,
      dataset: DATASETS[0],
      settings: POSTGRES_SETTINGS,
      jwtSecret: JWT_SECRET,
      token: issueToken({ jwtSecret: JWT_SECRET, tokenTtlSeconds: 24 * 3600 }, 1, BENCH_SESSION_ID).token,
      serviceArgs: profileArgs('service-live'),
    };
    const result = await runLiveBench(root, plan, log);
    const report = { commit: gitCommit(), date: new Date().toISOString(), mode: quick ? 'quick' : 'full', cpus: cpus().length, cpuModel: cpus()[0]?.model, ...result };
    const resultsDir = join(projectRoot, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'live.json'), `${JSON.stringify(report, null, 2)}\n`);
    printLiveReport(result.runs);
    log(`done in ${Math.round((Date.now() - startedAt) / 1000)} s; bench/results/live.json written`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** With `--profile`, a child writes its CPU profile under bench/results/profiles/<name>/ as it exits. */
function profileArgs(name: string): string[] {
  return profile ? ['--cpu-prof', `--cpu-prof-dir=${join(projectRoot, 'bench', 'results', 'profiles', name)}`] : [];
}

/** Warm-up, then the measured run bracketed by the server's CPU time. */
async function measure(load: Child, server: Child, request: Omit<LoadRequest, 'url'>): Promise<LoadResult & { cpuMsPerRequest: number }> {
  const url = server.ready as string;
  await load.call<LoadResult>({ type: 'run', request: { ...request, url, seconds: PLAN.warmup } });
  const cpuBefore = await server.call<number>({ type: 'cpu' });
  const result = await load.call<LoadResult>({ type: 'run', request: { ...request, url } });
  const cpuAfter = await server.call<number>({ type: 'cpu' });
  return { ...result, cpuMsPerRequest: (cpuAfter - cpuBefore) / Math.max(result.requests, 1) };
}

/**
 * SQL statements per request, from the service's own count (`extensions.sqlStatements`), for requests
 * shaped and signed in as the load driver's are.
 */
async function countStatements(url: string, token: string, ingestion: boolean) {
  const service = await startChild('service-process.ts', [url, JWT_SECRET, '--statements']);
  try {
    const endpoint = service.ready as string;
    const count = async (operationName: string, query: string, variables: Record<string, unknown>) => {
      const response = await fetch(endpoint, { method: 'POST', headers: clientHeaders(token), body: clientBody(operationName, query, variables) });
      const body = (await response.json()) as { errors?: unknown[]; extensions?: { sqlStatements?: number } };
      if (body.errors) throw new Error(`statement count query failed: ${JSON.stringify(body.errors)}`);
      return body.extensions?.sqlStatements ?? null;
    };
    // A process checks once that a token's session exists (one statement); the load's warm-up pays that, so it is paid here first.
    await count(OPERATION_NAMES.lookup, QUERIES.lookup, { name: '#Tag7' });
    const nested5 = await count('Nested', NESTED_QUERY, { first: 5 });
    const nested50 = await count('Nested', NESTED_QUERY, { first: 50 });
    const window = { from: '2025-12-01T00:00:00Z', to: '2026-01-01T00:00:00Z' };
    const windows5 = await count('NestedWindow', NESTED_WINDOW_QUERY, { first: 5, ...window });
    const windows50 = await count('NestedWindow', NESTED_WINDOW_QUERY, { first: 50, ...window });
    return {
      nested: { timelines5: nested5, timelines50: nested50, constant: nested5 !== null && nested5 === nested50 },
      nestedWindows: { timelines5: windows5, timelines50: windows50, constant: windows5 !== null && windows5 === windows50 },
      lookup: await count(OPERATION_NAMES.lookup, QUERIES.lookup, { name: '#Tag7' }),
      page: await count(OPERATION_NAMES.page, QUERIES.page, { id: '7' }),
      ingest: ingestion
        ? await count(OPERATION_NAMES.ingest, QUERIES.ingest, { input: { title: 'count', tags: ['Tag1', 'Tag2', `Fresh${Date.now()}`] } })
        : null,
      retag: ingestion ? await count(OPERATION_NAMES.retag, QUERIES.retag, { id: '100', input: { tags: ['Tag3', 'Tag4', 'Tag5'] } }) : null,
    };
  } finally {
    await service.stop();
  }
}

function gitCommit(): string {
  try {
    const commit = execSync('git rev-parse HEAD', { cwd: projectRoot, encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { cwd: projectRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}+uncommitted` : commit;
  } catch {
    return 'unknown';
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
