import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { errorCode, TEST_CONFIG, useTestApi } from '../support/api';
import { newUser } from '../support/factories';

const api = useTestApi();

const SIGN_UP = `mutation($u: String!, $p: String!) { signUp(username: $u, password: $p) { token user { id username } } }`;
const SIGN_IN = `mutation($u: String!, $p: String!) { signIn(username: $u, password: $p) { token user { id username } } }`;
const VIEWER = `{ viewer { id username } }`;

describe('users and tokens', () => {
  it('signs up, signs in and knows the viewer', async () => {
    const signUp = (await api.gql(SIGN_UP, { u: 'ada_lovelace', p: 'analytical engine' })).signUp;
    expect(signUp.user.username).toBe('ada_lovelace');
    expect((await api.gql(VIEWER, {}, signUp.token)).viewer).toEqual(signUp.user);
    const signIn = (await api.gql(SIGN_IN, { u: 'ada_lovelace', p: 'analytical engine' })).signIn;
    expect(signIn.user).toEqual(signUp.user);
    expect((await api.gql(VIEWER, {}, signIn.token)).viewer).toEqual(signUp.user);
    expect((await api.gql(VIEWER)).viewer).toBeNull();
    const { rows } = await api.db.query('select password_hash from "user" where username = $1', ['ada_lovelace']);
    expect(rows[0].password_hash).toMatch(/^scrypt\$/);
    expect(rows[0].password_hash).not.toContain('analytical');
  });

  it('refuses a taken username and bad usernames or passwords, writing nothing', async () => {
    const user = await newUser(api);
    expect(errorCode(await api.request(SIGN_UP, { u: user.username, p: 'another password' }))).toBe('NAME_TAKEN');
    const before = (await api.db.query('select count(*)::int as n from "user"')).rows[0].n;
    for (const [u, p] of [['', 'long enough'], ['ab', 'long enough'], ['has space', 'long enough'], ['x'.repeat(81), 'long enough'], ['fine_name', 'short']]) {
      expect(errorCode(await api.request(SIGN_UP, { u, p }))).toBe('BAD_USER_INPUT');
    }
    expect((await api.db.query('select count(*)::int as n from "user"')).rows[0].n).toBe(before);
  });

  it('gives the same answer for a wrong password and an unknown user', async () => {
    const user = await newUser(api, { password: 'the right one' });
    const wrong = await api.request(SIGN_IN, { u: user.username, p: 'the wrong one' });
    const unknown = await api.request(SIGN_IN, { u: 'nobody_at_all', p: 'the wrong one' });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(wrong.errors![0].message).toBe(unknown.errors![0].message);
  });

  it('refuses expired, forged and malformed tokens and tokens of unknown users', async () => {
    const user = await newUser(api);
    const expired = jwt.sign({ exp: Math.floor(Date.now() / 1000) - 10 }, TEST_CONFIG.jwtSecret, { subject: user.id });
    const forged = jwt.sign({}, 'not-the-secret', { subject: user.id });
    const none = jwt.sign({}, '', { subject: user.id, algorithm: 'none' });
    const ghost = jwt.sign({}, TEST_CONFIG.jwtSecret, { subject: '999999' });
    const notAnId = jwt.sign({}, TEST_CONFIG.jwtSecret, { subject: 'admin' });
    for (const token of [expired, forged, none, ghost, notAnId, 'garbage']) {
      const response = await api.request(VIEWER, {}, token);
      expect(errorCode(response)).toBe('UNAUTHENTICATED');
      expect(response.data ?? null).toBeNull();
    }
    const status = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${forged}` },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(status.status).toBe(401);
    const raw = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(((await raw.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
