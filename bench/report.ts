import type { LoadResult } from './load-process';
import type { MigrationResult } from './migration-scenario';
import type { ScenarioName } from './workload';

export interface Run extends LoadResult {
  round: number;
  scenario: ScenarioName;
  dataset: string;
  target: 'service' | 'floor';
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
  floor?: Figures;
  /** Median over rounds of service/floor requests per second, each pair measured back to back. */
  ratio?: number;
  target?: number;
}

export const RATIO_TARGETS: Record<ScenarioName, number> = { ingest: 0.7, lookup: 0.45, page: 0.55 };
export const P99_GROWTH_TARGET = 1.5;
export const STALL_TARGET_MS = 1000;

const median = (values: number[]) => {
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

export function summarise(runs: Run[]): ScenarioSummary[] {
  const keys = [...new Set(runs.map((r) => `${r.scenario}@${r.dataset}`))];
  return keys.map((key) => {
    const mine = runs.filter((r) => `${r.scenario}@${r.dataset}` === key);
    const service = mine.filter((r) => r.target === 'service');
    const floor = mine.filter((r) => r.target === 'floor');
    const ratios = service.flatMap((s) => floor.filter((f) => f.round === s.round).map((f) => s.requestsPerSecond / f.requestsPerSecond));
    const { scenario, dataset } = mine[0];
    return {
      scenario,
      dataset,
      service: figures(service),
      floor: figures(floor),
      ratio: ratios.length ? Number(median(ratios).toFixed(3)) : undefined,
      target: RATIO_TARGETS[scenario],
    };
  });
}

export interface Report {
  commit: string;
  mode: string;
  cpus: number;
  scenarios: ScenarioSummary[];
  statements: { nested: { timelines5: number | null; timelines50: number | null; constant: boolean }; [key: string]: unknown };
  migration: MigrationResult;
}

const pad = (value: unknown, width: number) => String(value ?? '–').padStart(width);

export function printReport(report: Report): void {
  console.log(`\niTimeline benchmark (${report.mode}) · ${report.cpus} CPUs · commit ${report.commit.slice(0, 12)}`);
  const header = ['scenario', 'rows', 'req/s', 'floor', 'ratio', 'target', 'p50 ms', 'p99 ms', 'floor p99', 'cpu ms/req', 'floor cpu', 'errors'];
  const widths = [9, 6, 7, 7, 6, 7, 7, 7, 10, 11, 10, 7];
  console.log(header.map((h, i) => pad(h, widths[i])).join(' '));
  for (const s of report.scenarios) {
    const met = s.ratio === undefined ? '' : s.ratio >= (s.target ?? 0) ? ' ok' : ' MISS';
    console.log(
      [s.scenario, s.dataset, s.service?.requestsPerSecond, s.floor?.requestsPerSecond, s.ratio, `${s.target}${met}`, s.service?.p50,
        s.service?.p99, s.floor?.p99, s.service?.cpuMsPerRequest, s.floor?.cpuMsPerRequest, (s.service?.errors ?? 0) + (s.floor?.errors ?? 0)]
        .map((value, i) => pad(value, widths[i]))
        .join(' '),
    );
  }
  for (const growth of p99Growth(report.scenarios)) {
    console.log(`p99 ${growth.scenario} ${growth.from} → ${growth.to}: ×${growth.factor} (target ≤ ×${P99_GROWTH_TARGET}${growth.factor <= P99_GROWTH_TARGET ? ', ok' : ', MISS'})`);
  }
  const nested = report.statements.nested;
  console.log(`statements for the nested query: ${nested.timelines5} at 5 timelines, ${nested.timelines50} at 50 (${nested.constant ? 'constant, ok' : 'NOT constant'})`);
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
  const reads = scenarios.filter((s) => s.scenario !== 'ingest' && s.service);
  return (['lookup', 'page'] as const).flatMap((scenario) => {
    const [small, large] = reads.filter((s) => s.scenario === scenario);
    if (!small || !large) return [];
    return [{ scenario, from: small.dataset, to: large.dataset, factor: Number((large.service!.p99 / small.service!.p99).toFixed(2)) }];
  });
}
