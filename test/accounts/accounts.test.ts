import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_SETTINGS, type AccountSettings } from '../../src/config';
import { EVENT_BUS_APPLICATION_NAME } from '../../src/events/event-bus';
import { REVOKED_CLOSE_CODE } from '../../src/users/session-guard';
import { issueToken } from '../../src/users/tokens';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../../src/db/orm-config';
import { startApp } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { errorCode, postGraphQL, TEST_CONFIG, type GraphQLResponse } from '../support/api';
import { newUser } from '../support/factories';
import { Subscriber } from '../ingestion/subscriber';
import { useTestServer, type TestServer } from '../server/support';

const SIGN_UP = `mutation($u: String!, $p: String!) { signUp(username: $u, password: $p) { token user { id username } } }`;
const SIGN_IN = `mutation($u: String!, $p: String!) { signIn(username: $u, password: $p) { token user { id username } } }`;
const CHANGE_PASSWORD = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token user { id username } } }`;
const SIGN_OUT = `mutation($e: Boolean) { signOut(everywhere: $e) }`;
const VIEWER = `{ viewer { id } }`;
const PASSWORD = 'correct horse battery';

/** Each request from the address `from` (the server trusts one proxy, which would have written it). */
async function post(server: TestServer, query: string, variables: Record<string, unknown>, options: { token?: string; from?: string } = {}) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...(options.from && { 'x-forwarded-for': options.from }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse;
}

const outcome = (response: GraphQLResponse) => (response.errors ? response.errors[0].extensions?.code : 'OK');
const retryAfter = (response: GraphQLResponse) => response.errors?.[0].extensions?.retryAfter as number;

/**
 * As if `seconds` (and one more) had passed for every throttle count: the windows and locks stored move back.
 * The throttle reads time only as `now()` against these columns, so this is time passing, minus the wait.
 */
async function passTime(server: TestServer, seconds: number): Promise<void> {
  await server.db.query(
    `update auth_throttle set window_ends = window_ends - $1 * interval '1 second', blocked_until = blocked_until - $1 * interval '1 second'`,
    [seconds + 1],
  );
}

function settings(overrides: Partial<AccountSettings>): AccountSettings {
  return { ...DEFAULT_ACCOUNT_SETTINGS, signUpPerAddress: { limit: 0, windowSeconds: 60 }, trustProxyHops: 1, ...overrides };
}

describe('sign-in throttling', () => {
  const server = useTestServer({ config: { accounts: settings({ signInPerUsername: { limit: 5, windowSeconds: 60 }, signInPerAddress: { limit: 0, windowSeconds: 60 } }) } });

  it('lets 5 wrong passwords be checked, then refuses before hashing, the right one too, until the window ends', async () => {
    const user = await newUser(server);
    const wrong = [];
    for (let i = 0; i < 5; i++) wrong.push(outcome(await post(server, SIGN_IN, { u: user.username, p: `wrong ${i}` })));
    expect(wrong).toEqual(Array(5).fill('UNAUTHENTICATED'));
    const refused = await post(server, SIGN_IN, { u: user.username, p: PASSWORD });
    expect(refused.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^Too many attempts; try again in \d+ seconds$/), extensions: { code: 'TOO_MANY_REQUESTS' } });
    expect(retryAfter(refused)).toBeGreaterThan(30);
    expect(retryAfter(refused)).toBeLessThanOrEqual(60);
    expect(refused.data ?? null).toBeNull();
    await passTime(server, retryAfter(refused));
    expect(outcome(await post(server, SIGN_IN, { u: user.username, p: PASSWORD }))).toBe('OK');
  });

  it('answers 50 concurrent wrong attempts with 5 checked passwords and 45 refusals that cost no hash', async () => {
    const user = await newUser(server);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => post(server, SIGN_IN, { u: user.username, p: `guess ${i}` })));
    const codes = answers.map(outcome);
    // UNAUTHENTICATED comes only after a password was hashed and compared; TOO_MANY_REQUESTS before any.
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(45);
  });

  it('throttles an unknown username exactly like a known one: same answers, same messages', async () => {
    const known = await newUser(server);
    const run = async (username: string) => {
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await post(server, SIGN_IN, { u: username, p: `wrong ${i}` }));
      return answers.map((answer) => [outcome(answer), answer.errors?.[0].message.replace(/\d+ seconds/, 'N seconds')]);
    };
    const forKnown = await run(known.username);
    const forUnknown = await run(`nobody_${randomUUID().slice(0, 8)}`);
    expect(forUnknown).toEqual(forKnown);
    expect(forKnown.map(([code]) => code)).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
  });

  it('locks a key that keeps failing for twice as long each time', async () => {
    const user = await newUser(server);
    const lockout = async () => {
      for (let i = 0; i < 5; i++) await post(server, SIGN_IN, { u: user.username, p: 'wrong' });
      return retryAfter(await post(server, SIGN_IN, { u: user.username, p: 'wrong' }));
    };
    const first = await lockout();
    expect(first).toBeGreaterThan(30);
    expect(first).toBeLessThanOrEqual(60);
    await passTime(server, first);
    // The second lockout lasts until two windows from the start of the window it happened in.
    const second = await lockout();
    expect(second).toBeGreaterThan(90);
    expect(second).toBeLessThanOrEqual(120);
    await passTime(server, second);
    expect(await lockout()).toBeGreaterThan(210);
    const { rows } = await server.db.query(`select lockouts from auth_throttle where key like 'signin-username:%' and lockouts = 3`);
    expect(rows).toHaveLength(1);
  });

  it('stores no username or address in the clear', async () => {
    await post(server, SIGN_IN, { u: 'my secret password', p: 'oops' }, { from: '198.51.100.7' });
    const { rows } = await server.db.query(`select key from auth_throttle`);
    expect(rows.some((row) => /secret|198\.51/.test(row.key))).toBe(false);
  });
});

describe('throttling per client address', () => {
  const server = useTestServer({
    config: { accounts: settings({ signInPerUsername: { limit: 5, windowSeconds: 60 }, signInPerAddress: { limit: 3, windowSeconds: 60 } }) },
  });

  it('stops a guesser trying many usernames from one address, without locking those users out elsewhere', async () => {
    const victims = [await newUser(server), await newUser(server), await newUser(server), await newUser(server)];
    const attacker = '203.0.113.9';
    const codes = [];
    for (const victim of victims) codes.push(outcome(await post(server, SIGN_IN, { u: victim.username, p: 'guess' }, { from: attacker })));
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'TOO_MANY_REQUESTS']);
    for (const victim of victims) {
      expect(outcome(await post(server, SIGN_IN, { u: victim.username, p: PASSWORD }, { from: '192.0.2.44' }))).toBe('OK');
    }
    // A successful sign-in gives its address the attempt back: right passwords never use up an address.
    for (let i = 0; i < 5; i++) expect(outcome(await post(server, SIGN_IN, { u: victims[0].username, p: PASSWORD }, { from: '192.0.2.45' }))).toBe('OK');
  });

  it('counts the address the trusted proxy saw, not what the client wrote to the left of it', async () => {
    const user = await newUser(server);
    const codes = [];
    for (let i = 0; i < 4; i++) {
      codes.push(outcome(await post(server, SIGN_IN, { u: `ghost_${i}_${randomUUID().slice(0, 6)}`, p: 'x' }, { from: `10.0.0.${i}, 198.51.100.20` })));
    }
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'TOO_MANY_REQUESTS']);
    expect(outcome(await post(server, SIGN_IN, { u: user.username, p: PASSWORD }, { from: '198.51.100.20' }))).toBe('TOO_MANY_REQUESTS');
  });

  it('counts an IPv6 client per /64', async () => {
    const codes = [];
    for (let i = 1; i <= 4; i++) codes.push(outcome(await post(server, SIGN_IN, { u: `v6_${i}_${randomUUID().slice(0, 6)}`, p: 'x' }, { from: `2001:db8:7:7::${i}` })));
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'TOO_MANY_REQUESTS']);
  });
});

describe('signUp throttling', () => {
  const server = useTestServer({ config: { accounts: settings({ signUpPerAddress: { limit: 2, windowSeconds: 60 } }) } });

  it('throttles signUp per address, before hashing, creating no account', async () => {
    const from = '198.51.100.99';
    const name = () => `signup_${randomUUID().slice(0, 8)}`;
    expect(outcome(await post(server, SIGN_UP, { u: name(), p: PASSWORD }, { from }))).toBe('OK');
    expect(outcome(await post(server, SIGN_UP, { u: name(), p: PASSWORD }, { from }))).toBe('OK');
    const third = name();
    const refused = await post(server, SIGN_UP, { u: third, p: PASSWORD }, { from });
    expect(outcome(refused)).toBe('TOO_MANY_REQUESTS');
    expect(retryAfter(refused)).toBeGreaterThan(50);
    expect((await server.db.query(`select 1 from "user" where username = $1`, [third])).rowCount).toBe(0);
    expect(outcome(await post(server, SIGN_UP, { u: third, p: PASSWORD }, { from: '198.51.100.100' }))).toBe('OK');
  });

  it('throttles signUp per username too: a taken name costs a hash only as often as signIn allows', async () => {
    const taken = await newUser(server);
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push(outcome(await post(server, SIGN_UP, { u: taken.username, p: PASSWORD }, { from: `198.51.100.${110 + i}` })));
    expect(codes).toEqual([...Array(5).fill('NAME_TAKEN'), 'TOO_MANY_REQUESTS']);
  });
});

describe('without a trusted proxy', () => {
  const server = useTestServer({ config: { accounts: settings({ trustProxyHops: 0, signInPerAddress: { limit: 2, windowSeconds: 60 } }) } });

  it('ignores X-Forwarded-For: a client cannot pick the address it is counted under', async () => {
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push(outcome(await post(server, SIGN_IN, { u: `nobody_${i}_${randomUUID().slice(0, 6)}`, p: 'x' }, { from: `10.9.9.${i}` })));
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'TOO_MANY_REQUESTS']);
  });
});

describe('changePassword', () => {
  const server = useTestServer({ config: { accounts: settings({ signInPerUsername: { limit: 3, windowSeconds: 60 } }) } });

  it('checks the current password, stores the new one, and leaves only the returned token valid', async () => {
    const user = await newUser(server);
    const elsewhere = (await server.gql(SIGN_IN, { u: user.username, p: PASSWORD })).signIn.token;
    const changed = (await server.gql(CHANGE_PASSWORD, { c: PASSWORD, n: 'a brand new secret' }, user.token)).changePassword;
    expect(changed.user).toEqual({ id: user.id, username: user.username });
    for (const old of [user.token, elsewhere]) {
      const response = await server.request(VIEWER, {}, old);
      expect(response.errors?.[0]).toMatchObject({ message: 'The token has been revoked or has expired; sign in again', extensions: { code: 'UNAUTHENTICATED' } });
    }
    expect((await server.gql(VIEWER, {}, changed.token)).viewer).toEqual({ id: user.id });
    expect(errorCode(await server.request(SIGN_IN, { u: user.username, p: PASSWORD }))).toBe('UNAUTHENTICATED');
    expect((await server.gql(SIGN_IN, { u: user.username, p: 'a brand new secret' })).signIn.user.id).toBe(user.id);
    const { rows } = await server.db.query(`select count(*)::int as n from user_session where user_id = $1`, [user.id]);
    expect(rows[0].n).toBe(2);
  });

  it('refuses a wrong current password or a bad new one, changing nothing', async () => {
    const user = await newUser(server);
    const before = (await server.db.query(`select password_hash from "user" where id = $1`, [user.id])).rows[0].password_hash;
    const wrong = await server.request(CHANGE_PASSWORD, { c: 'not my password', n: 'a brand new secret' }, user.token);
    expect(wrong.errors?.[0]).toMatchObject({ message: 'The current password is wrong', extensions: { code: 'BAD_USER_INPUT', field: 'currentPassword' } });
    expect(errorCode(await server.request(CHANGE_PASSWORD, { c: PASSWORD, n: 'short' }, user.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await server.request(CHANGE_PASSWORD, { c: PASSWORD, n: 'a brand new secret' }))).toBe('UNAUTHENTICATED');
    expect((await server.db.query(`select password_hash from "user" where id = $1`, [user.id])).rows[0].password_hash).toBe(before);
    expect((await server.gql(VIEWER, {}, user.token)).viewer).toEqual({ id: user.id });
  });

  it('is throttled as signIn is, on the same username: guesses through either count for both', async () => {
    const user = await newUser(server);
    expect(errorCode(await server.request(SIGN_IN, { u: user.username, p: 'guess 1' }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await server.request(CHANGE_PASSWORD, { c: 'guess 2', n: 'a brand new secret' }, user.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await server.request(CHANGE_PASSWORD, { c: 'guess 3', n: 'a brand new secret' }, user.token))).toBe('BAD_USER_INPUT');
    const refused = await server.request(CHANGE_PASSWORD, { c: PASSWORD, n: 'a brand new secret' }, user.token);
    expect(errorCode(refused)).toBe('TOO_MANY_REQUESTS');
    expect(retryAfter(refused)).toBeGreaterThan(0);
    expect(errorCode(await server.request(SIGN_IN, { u: user.username, p: PASSWORD }))).toBe('TOO_MANY_REQUESTS');
  });

  it('lets one of two concurrent changes win; the other stores nothing', async () => {
    const user = await newUser(server);
    const results = await Promise.all(['first new secret', 'second new secret'].map((n) => server.request(CHANGE_PASSWORD, { c: PASSWORD, n }, user.token)));
    const won = results.filter((result) => !result.errors);
    expect(won).toHaveLength(1);
    expect(results.map(outcome).sort()).toEqual(['OK', 'UNAUTHENTICATED']);
    const winner = won[0].data!.changePassword;
    expect((await server.gql(VIEWER, {}, winner.token)).viewer).toEqual({ id: user.id });
    const { rows } = await server.db.query(`select count(*)::int as n from user_session where user_id = $1`, [user.id]);
    expect(rows[0].n).toBe(1);
  });
});

describe('signOut', () => {
  const server = useTestServer();

  it('revokes this token only, or with everywhere: true every token of the user', async () => {
    const user = await newUser(server);
    const second = (await server.gql(SIGN_IN, { u: user.username, p: PASSWORD })).signIn.token;
    const third = (await server.gql(SIGN_IN, { u: user.username, p: PASSWORD })).signIn.token;
    expect(await server.gql(SIGN_OUT, {}, user.token)).toEqual({ signOut: true });
    expect(errorCode(await server.request(VIEWER, {}, user.token))).toBe('UNAUTHENTICATED');
    expect((await server.gql(VIEWER, {}, second)).viewer).toEqual({ id: user.id });
    expect(await server.gql(SIGN_OUT, { e: true }, second)).toEqual({ signOut: true });
    for (const token of [second, third]) expect(errorCode(await server.request(VIEWER, {}, token))).toBe('UNAUTHENTICATED');
    expect(errorCode(await server.request(SIGN_OUT, {}))).toBe('UNAUTHENTICATED');
    expect(errorCode(await server.request(SIGN_OUT, {}, user.token))).toBe('UNAUTHENTICATED');
  });

  it("closes the user's open subscriptions with 4401, leaving other users' open", async () => {
    const user = await newUser(server);
    const other = await newUser(server);
    const topic = (await server.gql(`mutation { createTimeline(input: { name: "SignOutTopic", type: HASHTAG }) { id } }`, {}, user.token)).createTimeline;
    const probe = (i: number) => server.gql(`mutation($t: ID!, $title: String!) { createEvent(input: { title: $title, timelineId: $t }) { id } }`, { t: topic.id, title: `probe ${i}` }, other.token);
    const mine = new Subscriber(server.url, topic.id, user.token);
    const theirs = new Subscriber(server.url, topic.id, other.token);
    try {
      await mine.live(probe);
      await theirs.live(probe);
      await server.gql(SIGN_OUT, {}, user.token);
      await mine.ended();
      expect(mine.errors).toEqual([{ message: `closed with ${REVOKED_CLOSE_CODE}` }]);
      expect(theirs.completed).toBe(false);
      await theirs.live((i) => probe(i + 100));
    } finally {
      await Promise.all([mine.close(), theirs.close()]);
    }
  });

  it('stays in force after a restart; a token seen before costs no statement per request', async () => {
    const user = await newUser(server);
    const kept = (await server.gql(SIGN_IN, { u: user.username, p: PASSWORD })).signIn.token;
    await server.gql(SIGN_OUT, {}, user.token);
    // A server started afresh on the same database: nothing cached, everything read from what is stored.
    const orm = await MikroORM.init(ormConfig(server.databaseUrl));
    const restarted = await startApp({ orm, config: TEST_CONFIG, logger: createLogger('silent') });
    try {
      expect(errorCode(await postGraphQL(restarted.url, VIEWER, {}, user.token))).toBe('UNAUTHENTICATED');
      const statements = async (token?: string) => ((await postGraphQL(restarted.url, `{ __typename }`, {}, token)) as any).extensions.sqlStatements;
      expect([await statements(kept), await statements(kept), await statements()]).toEqual([1, 0, 0]);
    } finally {
      await restarted.stop();
      await orm.close(true);
    }
  });

  it('refuses a validly signed token whose session was never stored', async () => {
    const user = await newUser(server);
    const { token } = issueToken(TEST_CONFIG, Number(user.id));
    expect(errorCode(await server.request(VIEWER, {}, token))).toBe('UNAUTHENTICATED');
  });
});

describe('revocations missed while the event bus reconnects', () => {
  const server = useTestServer();

  it('are caught up: cached sessions are re-read and open connections re-checked once it listens again', async () => {
    const user = await newUser(server);
    const topic = (await server.gql(`mutation { createTimeline(input: { name: "MissedTopic", type: HASHTAG }) { id } }`, {}, user.token)).createTimeline;
    const subscriber = new Subscriber(server.url, topic.id, user.token);
    try {
      await subscriber.live((i) =>
        server.gql(`mutation($t: ID!, $title: String!) { createEvent(input: { title: $title, timelineId: $t }) { id } }`, { t: topic.id, title: `probe ${i}` }, user.token),
      );
      // A revocation no process is told of: the cache still vouches for the session, as designed.
      await server.db.query(`delete from user_session where user_id = $1`, [user.id]);
      expect((await server.gql(VIEWER, {}, user.token)).viewer).toEqual({ id: user.id });
      const { rowCount } = await server.db.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = $1`,
        [EVENT_BUS_APPLICATION_NAME],
      );
      expect(rowCount).toBe(1);
      // The bus notices the lost connection within moments; from then on the token is read from the database.
      const started = Date.now();
      while (outcome(await server.request(VIEWER, {}, user.token)) !== 'UNAUTHENTICATED') {
        expect(Date.now() - started).toBeLessThan(1000);
        await sleep(20);
      }
      await Promise.race([subscriber.ended(), sleep(5000)]);
      expect(subscriber.errors).toEqual([{ message: `closed with ${REVOKED_CLOSE_CODE}` }]);
    } finally {
      await subscriber.close();
    }
  });
});
