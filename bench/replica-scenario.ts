import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres';
import { startEmbeddedReplica } from '../src/db/embedded-replica';
import { databaseUrl } from '../src/db/migrate';
import { startChild, type Child } from './child';
import type { LoadRequest, LoadResult } from './load-process';
import { seededDatabase } from './migration-scenario';
import { median } from './report';
import { seedDataset } from './seed';
import type { Dataset } from './workload';

/** `npm run bench -- --replica`: the read scenarios against one primary alone, and against a primary plus one replica. */
export type ReplicaTarget = 'primary' | 'primary+replica';

export interface ReplicaPlan {
  warmup: number;
  seconds: number;
  rounds: number;
  connections: number;
  dataset: Dataset;
  settings: Record<string, string>;
  jwtSecret: string;
  token: string;
}

interface ReplicaRun extends LoadResult {
  round: number;
  scenario: 'lookup' | 'page';
  target: ReplicaTarget;
  /** CPU per request: the service process, and every PostgreSQL process of each server (backends included). */
  cpuMsPerRequest: { service: number; primary: number; replica: number };
}

const TARGETS: ReplicaTarget[] = ['primary', 'primary+replica'];

export async function runReplicaBench(root: string, plan: ReplicaPlan, log: (line: string) => void) {
  const primary = await startEmbeddedPostgres({ dataDir: join(root, 'primary'), persistent: false, settings: plan.settings });
  let replica: EmbeddedDatabase | undefined;
  const children: Child[] = [];
  try {
    log(`seeding ${plan.dataset.label}, then a streaming replica of it`);
    const url = await seededDatabase(primary.url, 'bench_replica', (db) => seedDataset(db, plan.dataset));
    replica = await startEmbeddedReplica(primary, { dataDir: join(root, 'replica'), name: 'bench_replica', settings: plan.settings });
    const replicaUrl = databaseUrl(replica.url, 'bench_replica');

    const servers: Record<ReplicaTarget, Child> = {
      primary: await startChild('service-process.ts', [url, plan.jwtSecret]),
      'primary+replica': await startChild('service-process.ts', [url, plan.jwtSecret, `--replica=${replicaUrl}`]),
    };
    children.push(...Object.values(servers));
    const load = await startChild('load-process.ts', []);
    children.push(load);
    const cpu = { primary: databaseCpu(primary.dataDir), replica: databaseCpu(replica.dataDir) };

    const runs: ReplicaRun[] = [];
    for (let round = 1; round <= plan.rounds; round++) {
      for (const scenario of ['lookup', 'page'] as const) {
        for (const target of round % 2 ? TARGETS : [...TARGETS].reverse()) {
          const server = servers[target];
          const request: LoadRequest = { url: server.ready as string, scenario, dataset: plan.dataset, connections: plan.connections, seconds: plan.seconds, token: plan.token };
          await load.call<LoadResult>({ type: 'run', request: { ...request, seconds: plan.warmup } });
          const before = { service: await server.call<number>({ type: 'cpu' }), primary: cpu.primary(), replica: cpu.replica() };
          const result = await load.call<LoadResult>({ type: 'run', request });
          const perRequest = (ms: number) => Number((ms / Math.max(result.requests, 1)).toFixed(3));
          const cpuMsPerRequest = {
            service: perRequest((await server.call<number>({ type: 'cpu' })) - before.service),
            primary: perRequest(cpu.primary() - before.primary),
            replica: perRequest(cpu.replica() - before.replica),
          };
          log(`round ${round} ${scenario} ${target}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99} ms, cpu ms/req ` +
            `service ${cpuMsPerRequest.service}, primary ${cpuMsPerRequest.primary}, replica ${cpuMsPerRequest.replica}, ${result.errors} errors`);
          runs.push({ round, scenario, target, ...result, cpuMsPerRequest });
        }
      }
    }
    return { dataset: plan.dataset.label, connections: plan.connections, scenarios: summarise(runs), runs };
  } finally {
    for (const child of children) await child.stop();
    await replica?.stop();
    await primary.stop();
  }
}

function summarise(runs: ReplicaRun[]) {
  return (['lookup', 'page'] as const).flatMap((scenario) =>
    TARGETS.map((target) => {
      const mine = runs.filter((run) => run.scenario === scenario && run.target === target);
      const of = (pick: (run: ReplicaRun) => number) => Number(median(mine.map(pick)).toFixed(3));
      return {
        scenario,
        target,
        requestsPerSecond: Math.round(of((run) => run.requestsPerSecond)),
        p99: of((run) => run.p99),
        cpuMsPerRequest: { service: of((run) => run.cpuMsPerRequest.service), primary: of((run) => run.cpuMsPerRequest.primary), replica: of((run) => run.cpuMsPerRequest.replica) },
        errors: mine.reduce((sum, run) => sum + run.errors, 0),
      };
    }),
  );
}

export function printReplicaReport(report: Awaited<ReturnType<typeof runReplicaBench>>, cpus: number): void {
  console.log(`\nRead replica benchmark · ${cpus} CPUs · ${report.dataset} timelines · ${report.connections} connections`);
  console.log('| scenario | servers | req/s | p99 ms | CPU ms/req: service | primary | replica |');
  console.log('|---|---|---|---|---|---|---|');
  for (const s of report.scenarios) {
    console.log(`| ${s.scenario} | ${s.target} | ${s.requestsPerSecond} | ${s.p99} | ${s.cpuMsPerRequest.service} | ${s.cpuMsPerRequest.primary} | ${s.cpuMsPerRequest.replica} |`);
  }
  console.log(
    `\nOn ${cpus} CPUs the service, the load driver, the primary and the replica share the same cores: a replica adds\n` +
      'no CPU here, so throughput cannot rise with it. What this machine shows is where the read work goes (the\n' +
      "primary's CPU per read falls to its share of the monitor's checks, the replica's rises) and what routing costs\n" +
      'the service. The gain a replica brings (the primary freed for writes, reads scaled across machines) needs the\n' +
      'replica on cores, and disks, of its own.',
  );
}

/**
 * CPU milliseconds used so far by a running PostgreSQL server: its postmaster (pid from `postmaster.pid`) and
 * every process it forked (backends, WAL sender or receiver, startup process). Backends that exit between two
 * readings take their time with them; the services keep theirs pooled, so little escapes.
 */
function databaseCpu(dataDir: string): () => number {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  return () => {
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) === postmaster || Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / ticksPerMs;
  };
}
