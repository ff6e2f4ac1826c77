import { describe, expect, it } from 'vitest';
import { FOLD_AND_FIND } from '../../src/events/hashtag.repository';
import { useTestApi } from '../support/api';

const api = useTestApi();

describe('hashtag resolution plan', () => {
  it('looks tags up through timeline_public_name_unique, never by scanning the hashtags', async () => {
    // The generic plan (the ORM's connections force it) as the planner makes it for a young deployment's few
    // thousand hashtags, where hashing every folded name once looked cheaper than one probe per tag; rolled
    // back, statistics included.
    await api.db.query('begin');
    try {
      await api.db.query(`insert into timeline (name, timeline_type, visibility, requires_approval, created_by)
        select 'PlanTag' || i, 'hashtag', 'public', false, null from generate_series(1, 5000) as i`);
      await api.db.query('analyze timeline');
      const { rows } = await api.db.query(`explain (generic_plan) ${FOLD_AND_FIND.text}`);
      const plan = rows.map((row) => row['QUERY PLAN'] as string).join('\n');
      expect(plan).toContain('timeline_public_name_unique');
      expect(plan).not.toMatch(/Seq Scan on timeline/);
    } finally {
      await api.db.query('rollback');
    }
  });
});
