import { describe, expect, it } from 'vitest';
import { FOLD_AND_FIND } from '../../src/events/hashtag.repository';
import { useTestApi } from '../support/api';

const api = useTestApi();

describe('hashtag resolution plan', () => {
  it('looks tags up through timeline_public_name_unique, whatever the names passed', async () => {
    // Sequential scans priced out: a plan can only avoid one if the statement matches the index's
    // expression and predicate, which is what this test is about (the table is tiny here).
    await api.db.query('set enable_seqscan = off');
    const { rows } = await api.db.query(`explain (generic_plan) ${FOLD_AND_FIND.text}`);
    const plan = rows.map((row) => row['QUERY PLAN'] as string).join('\n');
    expect(plan).toContain('timeline_public_name_unique');
    expect(plan).not.toMatch(/Seq Scan on timeline/);
  });
});
