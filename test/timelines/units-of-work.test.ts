import { EntityManager } from '@mikro-orm/core';
import { describe, expect, it, vi } from 'vitest';
import { errorCode, useTestApi } from '../support/api';
import { newUser } from '../support/factories';
import { communityOps } from '../memberships/community';

const api = useTestApi();
const ops = communityOps(api);

const FIELDS = 'id name formattedName type visibility requiresApproval description createdAt createdBy { id }';
const CREATE = `mutation($input: CreateTimelineInput!) { createTimeline(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateTimelineInput!) { updateTimeline(id: $id, input: $input) { ${FIELDS} } }`;
const READ = `query($id: ID!) { timeline(id: $id) { ${FIELDS} } }`;

const statements = (response: unknown) => (response as { extensions: { sqlStatements: number } }).extensions.sqlStatements;
const count = async (sql: string, values: unknown[]) => (await api.db.query(sql, values)).rows[0].n as number;

describe('cold writes are units of work on entities (issue 11, points 2 and 3)', () => {
  it('two createTimeline at once with names that fold alike: one succeeds, the other is NAME_TAKEN, one row', async () => {
    for (let round = 0; round < 5; round++) {
      for (const type of ['HASHTAG', 'COMMUNITY'] as const) {
        const [alice, bob] = [await newUser(api), await newUser(api)];
        const name = `Straße${type}${round}${Date.now()}`;
        const results = await Promise.all([
          api.request(CREATE, { input: { name, type } }, alice.token),
          api.request(CREATE, { input: { name: name.toUpperCase(), type } }, bob.token),
        ]);
        expect(results.map((r) => (r.errors ? errorCode(r) : 'ok')).sort()).toEqual(['NAME_TAKEN', 'ok']);
        const loser = results.find((r) => r.errors)!;
        expect(loser.errors![0].message).toContain('already taken');
        const folded = `upper(name collate "und-x-icu") = upper($1::text collate "und-x-icu")`;
        expect(await count(`select count(*)::int as n from timeline where ${folded}`, [name])).toBe(1);
        // The loser's community wrote no admin membership either: only the winner's row is there.
        const members = await count(`select count(*)::int as n from timeline_member m join timeline t on t.id = m.timeline_id where ${folded.replaceAll('name', 't.name')}`, [name]);
        expect(members).toBe(type === 'COMMUNITY' ? 1 : 0);
      }
    }
  });

  it('a created or updated timeline answers what a read of it returns', async () => {
    const user = await newUser(api);
    const created = (await api.gql(CREATE, { input: { name: 'AsRead', type: 'COMMUNITY', description: 'd' } }, user.token)).createTimeline;
    expect(created).toEqual((await api.gql(READ, { id: created.id }, user.token)).timeline);
    const updated = (await api.gql(UPDATE, { id: created.id, input: { name: 'AsReadToo', description: null, requiresApproval: true } }, user.token)).updateTimeline;
    expect(updated).toMatchObject({ name: 'AsReadToo', description: null, requiresApproval: true, visibility: 'PUBLIC' });
    expect(updated).toEqual((await api.gql(READ, { id: created.id }, user.token)).timeline);
  });

  it('a membership change answers what a read of it returns', async () => {
    const { admin, timeline } = await ops.community({ visibility: 'PRIVATE' });
    const user = await newUser(api);
    const memberRead = `query($id: ID!) { timeline(id: $id) { membership { role state } } }`;
    expect((await ops.join(user, timeline.id)).data!.joinTimeline).toMatchObject({ role: 'MEMBER', state: 'PENDING' });
    expect((await ops.approve(admin, timeline.id, user.id)).data!.approveMember).toEqual({ role: 'MEMBER', state: 'ACTIVE' });
    expect((await ops.setRole(admin, timeline.id, user.id, 'MODERATOR')).data!.setMemberRole).toEqual({ role: 'MODERATOR', state: 'ACTIVE' });
    expect((await api.gql(memberRead, { id: timeline.id }, user.token)).timeline.membership).toEqual({ role: 'MODERATOR', state: 'ACTIVE' });
    expect((await ops.block(admin, timeline.id, user.id)).data!.blockMember).toEqual({ role: 'MEMBER', state: 'BLOCKED' });
    expect(await ops.row(timeline.id, user.id)).toEqual({ role: 'member', state: 'blocked' });
  });

  /**
   * What each write runs (BEGIN and COMMIT not counted). Every one is now a unit of work on entities: a timeline
   * created by one flush (its insert; a community's admin membership a second insert); an update reads its row
   * under its lock with the ORM (`select ... for update`), then flushes the columns that changed; a membership
   * change reads the membership it changes as an entity under the community's lock and flushes it.
   */
  it('statements per write', async () => {
    const admin = await newUser(api);
    // A token's first request reads its session: made here, so that the counts below are the writes' own.
    await api.gql('{ viewer { id } }', {}, admin.token);
    const create = async (type: string) => api.request(`mutation($input: CreateTimelineInput!) { createTimeline(input: $input) { id } }`, { input: { name: `Counted${type}${Date.now()}`, type } }, admin.token);
    const hashtag = await create('HASHTAG');
    // Was 1 too (an insert on conflict do nothing, outside a transaction).
    expect(statements(hashtag)).toBe(1);
    const community = await create('COMMUNITY');
    expect(statements(community)).toBe(2);
    const id = (community.data as { createTimeline: { id: string } }).createTimeline.id;
    // The timeline and the caller's membership (loaders), the row under its lock and the update: was 3 (one
    // update statement returning the row).
    expect(statements(await api.request(`mutation($id: ID!) { updateTimeline(id: $id, input: { description: "counted" }) { id } }`, { id }, admin.token))).toBe(4);
    const user = await newUser(api);
    await api.gql('{ viewer { id } }', {}, user.token);
    // The timeline (a loader) and the insert, as before (then an insert on conflict do nothing).
    expect(statements(await api.request(`mutation($id: ID!) { joinTimeline(id: $id) { state } }`, { id }, user.token))).toBe(2);
    const role = (r: string) => api.request(`mutation($t: ID!, $u: ID!) { setMemberRole(timelineId: $t, userId: $u, role: ${r}) { role } }`, { t: id, u: user.id }, admin.token);
    // The timeline, the lock, the caller's and the target's memberships, the update: as before.
    expect(statements(await role('MODERATOR'))).toBe(5);
    // The timeline, the lock, the caller's membership, the user (a loader), the target's, its update: was 5 (an
    // insert on conflict do update in place of the last two).
    expect(statements(await ops.block(admin, id, user.id))).toBe(6);
    // The timeline, the lock, the caller's membership, the target's, its delete: was 4 (a delete where the state is
    // still 'blocked'): the unit of work removes the entity it read.
    expect(statements(await ops.unblock(admin, id, user.id))).toBe(5);
  });
});

describe('what a unit of work flushes (docs/database.md, "Units of work")', () => {
  it('flushes a unit of work on entities, and commits one of prepared statements alone without a flush', async () => {
    const user = await newUser(api);
    const flush = vi.spyOn(EntityManager.prototype, 'flush');
    try {
      const tag = `Unflushed${Date.now()}`;
      // A new tag: the write is a transaction (the missing hashtag timeline, then the event), with no entity in it.
      await api.gql(`mutation($tags: [String!]) { createEvent(input: { title: "unflushed", tags: $tags }) { id } }`, { tags: [tag] }, user.token);
      expect(flush).not.toHaveBeenCalled();
      expect(await count(`select count(*)::int as n from timeline where name = $1`, [tag])).toBe(1);
      expect(await count(`select count(*)::int as n from event e join event_timeline_refs r on r.event_id = e.id join timeline t on t.id = r.timeline_id where t.name = $1`, [tag])).toBe(1);
      await api.gql(CREATE, { input: { name: `Flushed${Date.now()}`, type: 'HASHTAG' } }, user.token);
      expect(flush).toHaveBeenCalled();
    } finally {
      flush.mockRestore();
    }
  });
});
