import type { LoadResult } from './load-process';
import type { MigrationResult } from './migration-scenario';
import type { ScenarioName } from './workload';

/**
 * What is measured: the service as configured by default, the same server with the gateway executor and
 * the `node:http` mount switched off (`baseline`), and the floor.
 */
export type Target = 'service' | 'baseline' | 'floor';

export interface Run extends LoadResult {
  round: number;
  scenario: ScenarioName;
  dataset: string;
  target: Target;
  cpuMsPerRequest: number;
}

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  errors: number;
}

export interface ScenarioSummary {
  scenario: ScenarioName;
  dataset: string;
  service?: Figures;
  baseline?: Figures;
  floor?: Figures;
  /** Median over rounds of service/floor requests per second, each measured in the same round. */
  ratio?: number;
  /** The same for the baseline server. */
  baselineRatio?: number;
  target?: number;
  /** The service's ratio reaches the target and is ahead of the baseline's. */
  met?: boolean;
}

/** Of the floor's throughput, with requests shaped as Apollo Client sends them; the service must also beat the baseline. */
export const RATIO_TARGETS: Record<ScenarioName, number> = { ingest: 0.55, lookup: 0.5, page: 0.5, typename: 0.5, retag: 0.5, window: 0.5, count: 0.5, histogram: 0.5 };
export const P99_GROWTH_TARGET = 1.5;
export const STALL_TARGET_MS = 1000;

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function figures(runs: Run[]): Figures | undefined {
  if (runs.length === 0) return undefined;
  return {
    requestsPerSecond: Math.round(median(runs.map((r) => r.requestsPerSecond))),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuMsPerRequest: Number(median(runs.map((r) => r.cpuMsPerRequest)).toFixed(3)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** Median over rounds of `of`'s requests per second over the floor's in the same round. */
function ratioToFloor(of: Run[], floor: Run[]): number | undefined {
  const ratios = of.flatMap((r) => floor.filter((f) => f.round === r.round).map((f) => r.requestsPerSecond / f.requestsPerSecond));
  return ratios.length ? Number(median(ratios).toFixed(3)) : undefined;
}

export function summarise(runs: Run[]): ScenarioSummary[] {
  const keys = [...new Set(runs.map((r) => `${r.scenario}@${r.dataset}`))];
  return keys.map((key) => {
    const mine = runs.filter((r) => `${r.scenario}@${r.dataset}` === key);
    const of = (target: Target) => mine.filter((r) => r.target === target);
    const { scenario, dataset } = mine[0];
    const ratio = ratioToFloor(of('service'), of('floor'));
    const baselineRatio = ratioToFloor(of('baseline'), of('floor'));
    const target = RATIO_TARGETS[scenario];
    return {
      scenario,
      dataset,
      service: figures(of('service')),
      baseline: figures(of('baseline')),
      floor: figures(of('floor')),
      ratio,
      baselineRatio,
      target,
      met: ratio === undefined ? undefined : ratio >= target && (baselineRatio === undefined || ratio > baselineRatio),
    };
  });
}

interface NestedCount {
  timelines5: number | null;
  timelines50: number | null;
  constant: boolean;
}

export interface Report {
  commit: string;
  mode: string;
  cpus: number;
  scenarios: ScenarioSummary[];
  statements: { nested: NestedCount; nestedWindows?: NestedCount; [key: string]: unknown };
  migration: MigrationResult;
}

const pad = (value: unknown, width: number) => String(value ?? '–').padStart(width);

export function printReport(report: Report): void {
  console.log(`\niTimeline benchmark (${report.mode}) · ${report.cpus} CPUs · commit ${report.commit.slice(0, 12)}`);
  const columns: [string, number, (s: ScenarioSummary) => unknown][] = [
    ['scenario', 9, (s) => s.scenario],
    ['rows', 6, (s) => s.dataset],
    ['req/s', 7, (s) => s.service?.requestsPerSecond],
    ['floor', 7, (s) => s.floor?.requestsPerSecond],
    ['ratio', 6, (s) => s.ratio],
    ['target', 11, (s) => `${s.target}${s.met === undefined ? '' : s.met ? ' ok' : ' MISS'}`],
    ['base req/s', 10, (s) => s.baseline?.requestsPerSecond],
    ['base ratio', 10, (s) => s.baselineRatio],
    ['p50 ms', 7, (s) => s.service?.p50],
    ['p99 ms', 7, (s) => s.service?.p99],
    ['floor p99', 10, (s) => s.floor?.p99],
    ['cpu ms/req', 11, (s) => s.service?.cpuMsPerRequest],
    ['base cpu', 9, (s) => s.baseline?.cpuMsPerRequest],
    ['floor cpu', 10, (s) => s.floor?.cpuMsPerRequest],
    ['errors', 7, (s) => (s.service?.errors ?? 0) + (s.baseline?.errors ?? 0) + (s.floor?.errors ?? 0)],
  ];
  console.log(columns.map(([title, width]) => pad(title, width)).join(' '));
  for (const s of report.scenarios) console.log(columns.map(([, width, value]) => pad(value(s), width)).join(' '));
  console.log(`target: the service's ratio to the floor at least the target and ahead of the baseline's (gateway executor and node:http mount off)`);
  for (const growth of p99Growth(report.scenarios)) {
    console.log(`p99 ${growth.scenario} ${growth.from} → ${growth.to}: ×${growth.factor} (target ≤ ×${P99_GROWTH_TARGET}${growth.factor <= P99_GROWTH_TARGET ? ', ok' : ', MISS'})`);
  }
  const nested = report.statements.nested;
  console.log(`statements for the nested query: ${nested.timelines5} at 5 timelines, ${nested.timelines50} at 50 (${nested.constant ? 'constant, ok' : 'NOT constant'})`);
  const windows = report.statements.nestedWindows;
  if (windows) {
    console.log(
      `statements for the nested query with windows, counts and histograms: ${windows.timelines5} at 5 timelines, ${windows.timelines50} at 50 ` +
        `(${windows.constant ? 'constant, ok' : 'NOT constant'})`,
    );
  }
  const m = report.migration;
  if ('skipped' in m) console.log(`V2 migration: skipped, ${m.skipped}`);
  else if ('failed' in m) console.log(`V2 migration of ${m.legacy.timelines} legacy timelines under a writer FAILED: ${m.failed.slice(0, 400)}`);
  else {
    console.log(
      `V2 migration of ${m.legacy.timelines} legacy timelines: ${m.chain.seconds.toFixed(1)} s, writer's longest stall ${Math.round(m.chain.writer.longestStallMs)} ms ` +
        `(${m.chain.writer.operations} writes, ${m.chain.writer.errors} errors; target < ${STALL_TARGET_MS} ms${m.chain.writer.longestStallMs < STALL_TARGET_MS ? ', ok' : ', MISS'})`,
    );
    console.log(
      `  plain create unique index on the same table: ${m.plainUniqueIndex.seconds.toFixed(1)} s, writer's longest stall ${Math.round(m.plainUniqueIndex.writer.longestStallMs)} ms`,
    );
    if (m.chain.writer.firstError) console.log(`  writer error during the chain: ${m.chain.writer.firstError}`);
  }
}

export function p99Growth(scenarios: ScenarioSummary[]) {
  const reads = scenarios.filter((s) => (s.scenario === 'lookup' || s.scenario === 'page') && s.service);
  return (['lookup', 'page'] as const).flatMap((scenario) => {
    const [small, large] = reads.filter((s) => s.scenario === scenario);
    if (!small || !large) return [];
    return [{ scenario, from: small.dataset, to: large.dataset, factor: Number((large.service!.p99 / small.service!.p99).toFixed(2)) }];
  });
}
