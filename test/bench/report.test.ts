import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { NODE_FLAGS } from '../../bench/child';
import { RATIO_TARGETS, summarise, type Run, type Target } from '../../bench/report';

const run = (round: number, target: Target, requestsPerSecond: number): Run => ({
  round, scenario: 'lookup', dataset: '1k', target, requestsPerSecond,
  requests: requestsPerSecond * 10, seconds: 10, p50: 1, p99: 2, errors: 0, cpuMsPerRequest: 0.5,
});

/** Three rounds of lookups: the floor at 1000 req/s, the service and the baseline at the given rates. */
const lookups = (service: number[], baseline: number[]) =>
  summarise([1, 2, 3].flatMap((round) => [run(round, 'floor', 1000), run(round, 'service', service[round - 1]), run(round, 'baseline', baseline[round - 1])]))[0];

describe('the benchmark report', () => {
  it('sets the issue\'s targets: lookup and page at half the floor, createEvent at 0.55; windows and the request path alone as reads', () => {
    expect(RATIO_TARGETS).toEqual({ lookup: 0.5, page: 0.5, ingest: 0.55, retag: 0.5, typename: 0.5, window: 0.5, count: 0.5, histogram: 0.5 });
  });

  it('reads the service and the baseline each as a median ratio to the floor of the same round', () => {
    const summary = lookups([500, 700, 600], [400, 450, 300]);
    expect(summary.ratio).toBe(0.6);
    expect(summary.baselineRatio).toBe(0.4);
    expect(summary.baseline?.requestsPerSecond).toBe(400);
    expect(summary.met).toBe(true);
  });

  it('misses the target below it, or when the baseline is as fast', () => {
    expect(lookups([450, 480, 490], [300, 300, 300]).met).toBe(false);
    expect(lookups([600, 600, 600], [600, 650, 600]).met).toBe(false);
  });

  it('runs its servers with the Node flags the start scripts give the service', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    for (const script of ['start', 'start:prod']) for (const flag of NODE_FLAGS) expect(scripts[script].split(' '), script).toContain(flag);
  });
});
