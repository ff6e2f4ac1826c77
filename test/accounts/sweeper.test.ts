import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/config';
import { AccountSweeper } from '../../src/users/account-sweeper';
import { useTestApi } from '../support/api';
import { newUser } from '../support/factories';

const api = useTestApi();

describe('the account sweep', () => {
  it('deletes expired sessions and throttle rows that would start over anyway, keeping the rest', async () => {
    const user = await newUser(api);
    const expired = randomUUID();
    await api.db.query(`insert into user_session (id, user_id, expires_at) values ($1, $2, now() - interval '1 second')`, [expired, user.id]);
    await api.db.query(
      `insert into auth_throttle (key, hits, window_ends, lockouts, blocked_until) values
         ('stale', 9, now() - interval '2 days', 3, now() - interval '25 hours'),
         ('locked', 6, now() - interval '2 days', 4, now() + interval '1 hour'),
         ('counting', 2, now() + interval '10 minutes', 0, null)`,
    );
    const sweeper = new AccountSweeper(api.orm, DEFAULT_ACCOUNT_SETTINGS, (error) => { throw error; });
    try {
      await sweeper.sweep();
    } finally {
      sweeper.stop();
    }
    const sessions = (await api.db.query(`select id from user_session where user_id = $1`, [user.id])).rows.map((row) => row.id);
    expect(sessions).toHaveLength(1);
    expect(sessions).not.toContain(expired);
    expect((await api.db.query(`select key from auth_throttle where key in ('stale', 'locked', 'counting') order by key`)).rows.map((row) => row.key)).toEqual(['counting', 'locked']);
    expect((await api.gql(`{ viewer { id } }`, {}, user.token)).viewer).toEqual({ id: user.id });
  });
});
