import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { errorCode, useTestApi } from '../support/api';
import { newTimeline, newUser } from '../support/factories';

const api = useTestApi();

describe('createEvent racing the deletion of its home timeline', () => {
  // Every tag known, the write is one statement; a new tag makes it a transaction that creates the tag's timeline.
  it.each([
    ['a personal home', 'PERSONAL', []],
    ['a community home, with a tag no timeline has yet', 'COMMUNITY', ['LateNewTag']],
    ['a community home, with a tag whose timeline exists', 'COMMUNITY', ['LateOldTag']],
  ] as const)('is NOT_FOUND, not an internal error, and writes nothing: %s', async (_, type, tags) => {
    const user = await newUser(api);
    const home = await newTimeline(api, user, { type });
    const oldTag = (tags as readonly string[]).includes('LateOldTag') ? await newTimeline(api, user, { name: 'LateOldTag' }) : undefined;
    const deleter = new pg.Client(api.databaseUrl);
    await deleter.connect();
    try {
      await deleter.query('begin');
      await deleter.query('delete from timeline where id = $1', [home.id]);
      const posting = api.request(`mutation($t: ID!, $tags: [String!]) { createEvent(input: { title: "late", timelineId: $t, tags: $tags }) { id } }`, { t: home.id, tags }, user.token);
      // The insert's foreign-key check waits for the deleting transaction: commit only once it does.
      for (let waited = 0; ; waited += 20) {
        const { rows } = await api.db.query(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        );
        if (rows[0].n > 0) break;
        if (waited > 10_000) throw new Error('createEvent never waited on the deleted timeline');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await deleter.query('commit');
      expect(errorCode(await posting)).toBe('NOT_FOUND');
      expect((await api.db.query(`select count(*)::int as n from event where title = 'late'`)).rows[0].n).toBe(0);
      // A hashtag timeline created for the event goes with it.
      expect((await api.db.query(`select count(*)::int as n from timeline where name = 'LateNewTag'`)).rows[0].n).toBe(0);
      if (oldTag) expect((await api.db.query('select count(*)::int as n from event_timeline_refs where timeline_id = $1', [oldTag.id])).rows[0].n).toBe(0);
    } finally {
      await deleter.end();
    }
  });
});
