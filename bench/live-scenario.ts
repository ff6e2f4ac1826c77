import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { startChild } from './child';
import type { LiveLoadResult } from './live-load-process';
import { seededDatabase } from './migration-scenario';
import { seedDataset } from './seed';
import type { Dataset } from './workload';

/**
 * `npm run bench -- --live` (SPEC section 13): one service process; `size` subscribers of one public timeline
 * plus `others` spread over 100 other timelines, all graphql-ws clients in a load process of their own; events
 * posted at `perSecond` for `seconds`, each homed on the hot timeline and tagged to one other in turn. Reported per
 * size: deliveries expected and made (exactly once, in order per subscriber), latency from the poster's send
 * (before the commit, so an upper bound of commit-to-client) to arrival, and the service's heap per idle
 * subscriber (after a full collection, subscribed minus before). Each size runs against the service, then against
 * the floor (`live-floor.ts`), each with a load process of its own, so that the report answers what this box can
 * deliver at all beside what the service delivers.
 */
export interface LivePlan {
  sizes: number[];
  others: number;
  seconds: number;
  perSecond: number;
  dataset: Dataset;
  settings: Record<string, string>;
  jwtSecret: string;
  token: string;
  /** Node flags for the service (a CPU profile). */
  serviceArgs?: string[];
}

export interface LiveRun extends LiveLoadResult {
  /** The service, or the floor (`live-floor.ts`: a bare ws server broadcasting a prebuilt message). */
  target: 'service' | 'floor';
  size: number;
  /** Server CPU (user + system) while posting and delivering. */
  serverCpuSeconds: number;
  /** Service heap (used + external) per subscriber, bytes. */
  bytesPerIdleSubscriber: number;
}

const HOT = 1;
const OTHER_TIMELINES = 100;
const FLOOR_POOL_SIZE = 10;

export async function runLiveBench(root: string, plan: LivePlan, log: (line: string) => void): Promise<{ plan: Omit<LivePlan, 'token'>; runs: LiveRun[] }> {
  const postgres = await startEmbeddedPostgres({ dataDir: join(root, 'live'), persistent: false, settings: plan.settings });
  const children: Awaited<ReturnType<typeof startChild>>[] = [];
  try {
    const url = await seededDatabase(postgres.url, 'bench_live', (db) => seedDataset(db, plan.dataset));

    const service = await startChild('service-process.ts', [url, plan.jwtSecret], { execArgv: ['--expose-gc', ...(plan.serviceArgs ?? [])] });
    children.push(service);
    const floor = await startChild('live-floor.ts', [url, String(FLOOR_POOL_SIZE)], { execArgv: ['--expose-gc'] });
    children.push(floor);
    const runs: LiveRun[] = [];
    // Timelines 2..101 are public hashtags named Tag<id> in the seeded dataset.
    const otherIds = Array.from({ length: OTHER_TIMELINES }, (_, i) => String(HOT + 1 + i));
    for (const size of plan.sizes) {
      for (const [target, server] of [['service', service], ['floor', floor]] as const) {
        const label = `live ${target} ${size}+${plan.others}`;
        const load = await startChild('live-load-process.ts', []);
        children.push(load);
        const heap = async () => {
          const memory = await server.call<NodeJS.MemoryUsage>({ type: 'memory' });
          return memory.heapUsed + memory.external;
        };
        const before = await heap();
        const subscribers = await load.call<number>({
          type: 'subscribe',
          request: { url: server.ready, hotId: String(HOT), hotCount: size, otherIds, otherCount: plan.others, otherTags: otherIds.map((id) => `Tag${id}`), token: plan.token },
        });
        const bytesPerIdleSubscriber = Math.round((await heap()) - before) / subscribers;
        log(`${label}: ${subscribers} subscribed, ${(bytesPerIdleSubscriber / 1024).toFixed(1)} KB heap each; posting ${plan.perSecond}/s for ${plan.seconds} s`);
        const cpuBefore = await server.call<number>({ type: 'cpu' });
        const result = await load.call<LiveLoadResult>({ type: 'post', request: { seconds: plan.seconds, perSecond: plan.perSecond } });
        const cpuSeconds = ((await server.call<number>({ type: 'cpu' })) - cpuBefore) / 1000;
        log(
          `${label}: ${result.delivered}/${result.expected} delivered, ${result.duplicates} duplicates, ${result.outOfOrder} subscribers out of commit order, ` +
            `p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms, ${result.postErrors} post errors, ${cpuSeconds.toFixed(1)} s server CPU`,
        );
        runs.push({ target, size, bytesPerIdleSubscriber, serverCpuSeconds: cpuSeconds, ...result });
        await load.call({ type: 'close' });
        await load.stop();
        children.splice(children.indexOf(load), 1);
      }
    }
    const { token: _token, ...shown } = plan;
    return { plan: shown, runs };
  } finally {
    for (const child of children) await child.stop();
    await postgres.stop();
  }
}

export function printLiveReport(runs: LiveRun[]): void {
  console.log('\nLive updates (SPEC section 13): target p99 < 250 ms, every event exactly once, in order, < 20 KB per idle subscriber');
  console.log('target   subscribers        delivered/expected  dup  order  p50 ms  p99 ms  max ms  KB/idle subscriber');
  for (const run of runs) {
    console.log(
      `${run.target.padEnd(9)}${`${run.size}+${run.subscribers - run.size}`.padEnd(19)}${`${run.delivered}/${run.expected}`.padEnd(20)}${String(run.duplicates).padEnd(5)}` +
        `${String(run.outOfOrder).padEnd(7)}${String(run.p50).padEnd(8)}${String(run.p99).padEnd(8)}${String(run.max).padEnd(8)}${(run.bytesPerIdleSubscriber / 1024).toFixed(1)}`,
    );
  }
}
