import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFloor, type Floor } from '../../bench/floor';
import { BENCH_SESSION_ID, seedWindows } from '../../bench/seed';
import { answered, clientBody, clientHeaders } from '../../bench/client-request';
import { OPERATION_NAMES, QUERIES, randomWindow, variablesFor, WINDOW_SCENARIOS, type WindowScenario } from '../../bench/workload';
import { issueToken } from '../../src/users/tokens';
import { TEST_CONFIG, useTestApi } from '../support/api';

/** The window scenarios' floor answers what the service answers, on the window seed, hidden events included. */
const api = useTestApi();
let floor: Floor;
let token: string;
const SIZES = [300, 2_000];

beforeAll(async () => {
  await seedWindows(api.db, SIZES);
  token = issueToken(TEST_CONFIG, 1, BENCH_SESSION_ID).token;
  floor = await startFloor({ databaseUrl: api.databaseUrl, poolSize: 2, jwtSecret: TEST_CONFIG.jwtSecret });
});
afterAll(async () => floor?.close());

async function ask(url: string, scenario: WindowScenario, variables: Record<string, unknown>): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: clientHeaders(token), body: clientBody(OPERATION_NAMES[scenario], QUERIES[scenario], variables) });
  const text = await response.text();
  if (!answered(response.status, Object.fromEntries(response.headers), text)) throw new Error(`${url} answered ${response.status}: ${text}`);
  return JSON.parse(text).data;
}

describe('the window scenarios', () => {
  it('seed timelines of the given sizes, a tenth of each hidden from the viewer', async () => {
    const { rows } = await api.db.query(`select timeline_id, count(*)::int as n from event_timeline_refs where timeline_id <= 2 group by 1 order by 1`);
    expect(rows.map((row) => row.n)).toEqual(SIZES);
    const all = await ask(api.url, 'count', { id: '2', from: '1990-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' });
    expect(all.timeline.eventCount).toBe(1_800);
  });

  it.each(WINDOW_SCENARIOS)('%s: the floor answers as the service does', async (scenario) => {
    for (const id of ['1', '2']) {
      const dataset = { label: 'test', timelines: 4, events: 0, hot: 0, windowTimeline: Number(id) };
      const next = variablesFor(scenario, dataset);
      for (let i = 0; i < 8; i++) {
        const variables = next();
        expect(await ask(floor.url, scenario, variables), JSON.stringify(variables)).toEqual(await ask(api.url, scenario, variables));
      }
      const whole = { id, from: '1996-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', bucket: 'MONTH' };
      expect(await ask(floor.url, scenario, whole)).toEqual(await ask(api.url, scenario, whole));
    }
    const hiddenClub = { id: '4', ...randomWindow() };
    expect(await ask(api.url, scenario, hiddenClub)).toEqual({ timeline: null });
    expect(await ask(floor.url, scenario, hiddenClub)).toEqual({ timeline: null });
  });

  it('ask for at most 1,000 bins', () => {
    for (let i = 0; i < 1000; i++) {
      const { from, to, bucket } = randomWindow();
      const days = (new Date(to).getTime() - new Date(from).getTime()) / 86_400_000;
      expect(Math.ceil(days / { DAY: 1, WEEK: 7, MONTH: 28 }[bucket]!) + 1).toBeLessThanOrEqual(1_000);
    }
  });
});
