import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api';
import { newTimeline, newUser } from '../support/factories';
import { communityOps } from './community';

const api = useTestApi();
const ops = communityOps(api);

const QUERY = `query($search: String!) {
  timelines(search: $search, first: 50) { edges { node {
    memberCount membership { role state }
    members(first: 5) { edges { node { role user { username } timeline { id } } } }
    viewers(first: 5) { edges { node { username } } }
  } } }
}`;

describe('membership fields of many timelines', () => {
  it('cost the same number of SQL statements for 2 timelines as for 8 (no N+1)', async () => {
    const viewer = await newUser(api);
    const statements = async (search: string) => {
      const response = await api.request(QUERY, { search }, viewer.token);
      expect(response.errors).toBeUndefined();
      return { count: (response as any).extensions.sqlStatements as number, timelines: response.data!.timelines.edges.length as number };
    };
    const seed = async (tag: string, communities: number) => {
      for (let i = 0; i < communities; i++) {
        const { admin, timeline } = await ops.community();
        await api.gql(`mutation($id: ID!, $n: String!) { updateTimeline(id: $id, input: { name: $n }) { id } }`, { id: timeline.id, n: `${tag} ${i}` }, admin.token);
        await ops.join(viewer, timeline.id);
      }
      const personal = await newTimeline(api, viewer, { type: 'PERSONAL', name: `${tag} mine` });
      await api.gql(`mutation($t: ID!, $u: String!) { addViewer(timelineId: $t, username: $u) { id } }`, { t: personal.id, u: (await newUser(api)).username }, viewer.token);
    };
    await seed('few', 1);
    await seed('many', 7);
    const few = await statements('few');
    const many = await statements('many');
    expect([few.timelines, many.timelines]).toEqual([2, 8]);
    expect(many.count).toBe(few.count);
  });
});
