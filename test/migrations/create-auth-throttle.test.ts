import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { before, migrationDb, type MigrationDb } from './support';

const STEP = 'Migration20261203000210_create_auth_throttle';

describe(STEP, () => {
  let m: MigrationDb;
  beforeAll(async () => {
    m = await migrationDb();
    await m.up(before(STEP));
    await m.up(STEP);
  });
  afterAll(() => m.close());

  it('creates the table: one row per key, no lockouts until one happens', async () => {
    await m.db.query(`insert into auth_throttle (key, hits, window_ends) values ('signin-username:abc', 1, now())`);
    await expect(m.db.query(`insert into auth_throttle (key, hits, window_ends) values ('signin-username:abc', 1, now())`)).rejects.toMatchObject({ code: '23505' });
    const { rows } = await m.db.query(`select lockouts, blocked_until from auth_throttle`);
    expect(rows).toEqual([{ lockouts: 0, blocked_until: null }]);
  });

  it('goes down, counts and all (they only ever start over)', async () => {
    await m.down(STEP);
    expect((await m.db.query(`select to_regclass('auth_throttle') as t`)).rows[0].t).toBeNull();
  });
});
