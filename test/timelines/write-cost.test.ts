import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/server/context';
import { contextDeps, useTestApi } from '../support/api';
import { newTimeline, newUser } from '../support/factories';

const api = useTestApi();
const CALLS = 2_000;
const WARMUP = 500;

/** CPU of this process (service, ORM, driver; not PostgreSQL's) per call of `call`, after a warm-up. */
async function cpuMsPerCall(call: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await call(-i - 1);
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) await call(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / CALLS;
}

/**
 * The figures in docs/database.md ("Cold writes"): `MEASURE_WRITES=1 npm test -- test/timelines/write-cost.test.ts`.
 * In-process, one operation context per call, as a request builds it.
 */
describe.runIf(process.env.MEASURE_WRITES)('the CPU of cold writes', () => {
  it('createTimeline and a membership change', async () => {
    const admin = await newUser(api);
    const member = await newUser(api);
    const community = await newTimeline(api, admin, { type: 'COMMUNITY' });
    await api.gql(`mutation($id: ID!) { joinTimeline(id: $id) { state } }`, { id: community.id }, member.token);
    const context = () => createContext(contextDeps(api.orm), `Bearer ${admin.token}`);
    const run = Date.now().toString(36);
    const create = await cpuMsPerCall(async (i) => (await context()).timelines.create({ name: `Cost_${run}_${i}`, type: 'hashtag' }));
    const createCommunity = await cpuMsPerCall(async (i) => (await context()).timelines.create({ name: `CostCommunity_${run}_${i}`, type: 'community' }));
    const setRole = await cpuMsPerCall(async (i) => (await context()).memberships.setRole(community.id, member.id, i % 2 ? 'member' : 'moderator'));
    console.log(`cpu ms per call over ${CALLS}: createTimeline hashtag ${create.toFixed(3)}, community ${createCommunity.toFixed(3)}, setMemberRole ${setRole.toFixed(3)}`);
    expect(create).toBeGreaterThan(0);
  }, 300_000);
});
