import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { before, migrationDb, type MigrationDb } from './support';

const STEP = 'Migration20261203000200_create_user_session';

describe(STEP, () => {
  let m: MigrationDb;
  let ada: number;
  beforeAll(async () => {
    m = await migrationDb();
    await m.up(before(STEP));
    ada = (await m.db.query(`insert into "user" (username) values ('ada') returning id`)).rows[0].id;
    await m.up(STEP);
  });
  afterAll(() => m.close());

  it('creates the table: one row per session id, of an existing user, indexed by user', async () => {
    const id = randomUUID();
    await m.db.query(`insert into user_session (id, user_id, expires_at) values ($1, $2, now() + interval '1 hour')`, [id, ada]);
    await expect(m.db.query(`insert into user_session (id, user_id, expires_at) values ($1, $2, now())`, [id, ada])).rejects.toMatchObject({ code: '23505' });
    await expect(m.db.query(`insert into user_session (id, user_id, expires_at) values ($1, 424242, now())`, [randomUUID()])).rejects.toMatchObject({
      code: '23503',
    });
    const { rows } = await m.db.query(`select indexdef from pg_indexes where indexname = 'user_session_user_id_idx'`);
    expect(rows[0].indexdef).toBe('CREATE INDEX user_session_user_id_idx ON public.user_session USING btree (user_id)');
  });

  it('refuses to go down while someone is signed in, then goes down once only expired sessions are left', async () => {
    await expect(m.down(STEP)).rejects.toThrow(/cannot go down/);
    await m.db.query(`update user_session set expires_at = now() - interval '1 second'`);
    await m.down(STEP);
    expect((await m.db.query(`select to_regclass('user_session') as t`)).rows[0].t).toBeNull();
  });
});
