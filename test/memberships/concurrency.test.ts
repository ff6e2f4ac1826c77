import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api';
import { newUser } from '../support/factories';
import { communityOps } from './community';

const api = useTestApi();
const ops = communityOps(api);

const activeAdmins = async (timelineId: string) =>
  (await api.db.query(`select count(*)::int as n from timeline_member where timeline_id = $1 and role = 'admin' and state = 'active'`, [timelineId])).rows[0].n;

describe('membership under concurrency (issue 5, point 5)', () => {
  it('two admins demoting each other at once leave one admin', async () => {
    for (let round = 0; round < 5; round++) {
      const { admin, timeline } = await ops.community();
      const other = await ops.activeMember(timeline, admin, 'ADMIN');
      const results = await Promise.all([
        ops.setRole(admin, timeline.id, other.id, 'MEMBER'),
        ops.setRole(other, timeline.id, admin.id, 'MEMBER'),
      ]);
      expect(results.filter((r) => !r.errors).length).toBe(1);
      expect(results.find((r) => r.errors)?.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(await activeAdmins(timeline.id)).toBe(1);
    }
  });

  it('two admins leaving at once leave one admin', async () => {
    const { admin, timeline } = await ops.community();
    const other = await ops.activeMember(timeline, admin, 'ADMIN');
    const results = await Promise.all([ops.leave(admin, timeline.id), ops.leave(other, timeline.id)]);
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(await activeAdmins(timeline.id)).toBe(1);
  });

  it('two admins blocking each other at once leave one admin', async () => {
    const { admin, timeline } = await ops.community();
    const other = await ops.activeMember(timeline, admin, 'ADMIN');
    const results = await Promise.all([ops.block(admin, timeline.id, other.id), ops.block(other, timeline.id, admin.id)]);
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(await activeAdmins(timeline.id)).toBe(1);
  });

  it('a burst of joins by one user yields one row, every call succeeding with it', async () => {
    const { timeline } = await ops.community();
    const user = await newUser(api);
    const results = await Promise.all(Array.from({ length: 10 }, () => ops.join(user, timeline.id)));
    for (const result of results) expect(result.data?.joinTimeline).toMatchObject({ state: 'ACTIVE', user: { id: user.id } });
    const rows = await api.db.query(`select count(*)::int as n from timeline_member where timeline_id = $1 and user_id = $2`, [timeline.id, user.id]);
    expect(rows.rows[0].n).toBe(1);
  });

  it('a join racing a block ends blocked, never active', async () => {
    const { admin, timeline } = await ops.community();
    const user = await newUser(api);
    await Promise.all([ops.join(user, timeline.id), ops.block(admin, timeline.id, user.id)]);
    expect(await ops.row(timeline.id, user.id)).toEqual({ role: 'member', state: 'blocked' });
  });

  it('a join whose community is deleted meanwhile is NOT_FOUND, not an internal error', async () => {
    const { timeline } = await ops.community();
    const user = await newUser(api);
    const deleter = new pg.Client(api.orm.config.get('clientUrl'));
    await deleter.connect();
    try {
      await deleter.query('begin');
      await deleter.query('select 1 from timeline where id = $1 for update', [timeline.id]);
      const joined = ops.join(user, timeline.id);
      // The join's insert waits for the row lock (its foreign-key check), then finds the timeline gone.
      const waiting = `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
      while ((await api.db.query(waiting)).rows[0].n === 0);
      await deleter.query('delete from timeline where id = $1', [timeline.id]);
      await deleter.query('commit');
      expect((await joined).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    } finally {
      await deleter.end();
    }
  });
});
