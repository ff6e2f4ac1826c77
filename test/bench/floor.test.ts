import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFloor, type Floor } from '../../bench/floor';
import { seedDataset } from '../../bench/seed';
import { QUERIES, type ScenarioName } from '../../bench/workload';
import { useTestApi } from '../support/api';

/**
 * The benchmark reads the service's speed as a fraction of the floor's: that only means something if the
 * floor answers the same questions with the same rows. Both run here on one seeded database.
 */
const api = useTestApi();
let floor: Floor;

beforeAll(async () => {
  await seedDataset(api.db, { label: 'test', timelines: 300, events: 2_000, hot: 50 });
  floor = await startFloor(api.orm.config.get('clientUrl')!, 2);
});
afterAll(async () => floor?.close());

const OPERATIONS: Record<ScenarioName, string> = { lookup: 'Lookup', page: 'Page', ingest: 'Ingest' };

async function askFloor(scenario: ScenarioName, variables: Record<string, unknown>): Promise<any> {
  const body = { operationName: OPERATIONS[scenario], query: QUERIES[scenario], variables };
  const response = await fetch(floor.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return ((await response.json()) as { data: unknown }).data;
}

async function both(scenario: ScenarioName, variables: Record<string, unknown>) {
  return { service: await api.gql(QUERIES[scenario], variables), floor: await askFloor(scenario, variables) };
}

describe('the benchmark floor', () => {
  it.each(['#Tag7', '#tag42', '#Nowhere'])('looks %s up as the service does', async (name) => {
    const { service, floor: bare } = await both('lookup', { name });
    expect(bare).toEqual(service);
  });

  it.each(['7', '50', '299'])('pages timeline %s as the service does', async (id) => {
    const { service, floor: bare } = await both('page', { id });
    expect(bare).toEqual(service);
    if (id !== '299') expect((service as any).timeline.events.edges).toHaveLength(20);
  });

  it('ingests an event onto existing and new hashtag timelines, once each', async () => {
    const data = await askFloor('ingest', { input: { title: 'floor', tags: ['Tag3', 'BrandNewTag', 'brandnewtag2'] } });
    const { rows } = await api.db.query(
      `select t.name from event_timeline_refs r join timeline t on t.id = r.timeline_id where r.event_id = $1 order by t.name`,
      [data.createEvent.id],
    );
    expect(rows.map((row) => row.name)).toEqual(['BrandNewTag', 'Tag3', 'brandnewtag2']);
  });
});
