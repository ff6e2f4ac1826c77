import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVOKED_CLOSE_CODE } from '../../src/users/session-guard';
import { postGraphQL, type GraphQLResponse } from '../support/api';
import { createTestDatabase } from '../support/database';
import { gql, signUp, startServerProcess, type ServerProcess } from '../ingestion/server-process';
import { Subscriber } from '../ingestion/subscriber';

/** Two real server processes (`npm start`'s entry) on one database: throttle counts and revocations are shared. */
const SECRET = 'accounts-cross-process';
const SETTINGS = { SIGNIN_USERNAME_LIMIT: '5', SIGNIN_USERNAME_WINDOW_SECONDS: '60', SIGNIN_ADDRESS_LIMIT: '0', SIGNUP_ADDRESS_LIMIT: '0' };
const PASSWORD = 'correct horse battery';
const SIGN_IN = `mutation($u: String!, $p: String!) { signIn(username: $u, password: $p) { token } }`;
const VIEWER = `{ viewer { id } }`;

let databaseUrl: string;
let one: ServerProcess;
let two: ServerProcess;
const subscribers: Subscriber[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  [one, two] = await Promise.all([startServerProcess(databaseUrl, SECRET, SETTINGS), startServerProcess(databaseUrl, SECRET, SETTINGS)]);
}, 120_000);

afterAll(async () => {
  await Promise.all(subscribers.map((subscriber) => subscriber.close()));
  await Promise.all([one?.stop(), two?.stop()]);
});

const code = (response: GraphQLResponse<unknown>) => (response.errors ? response.errors[0].extensions?.code : 'OK');

/** The answer to `{ viewer }` on `url`, asked every 50 ms until it is refused; how long that took. */
async function refusedWithin(url: string, token: string): Promise<number> {
  const started = Date.now();
  while (code(await postGraphQL(url, VIEWER, {}, token)) !== 'UNAUTHENTICATED') {
    if (Date.now() - started > 5000) throw new Error('still accepted after 5 s');
    await sleep(50);
  }
  return Date.now() - started;
}

describe('sign-in throttling across processes', () => {
  it('lets 5 of 50 concurrent wrong attempts, half on each process, be checked; the right password works after the window', async () => {
    await signUp(one.url, 'cross_throttled');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => postGraphQL((i % 2 ? one : two).url, SIGN_IN, { u: 'cross_throttled', p: `guess ${i}` })),
    );
    const codes = answers.map(code);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(45);
    const refused = await postGraphQL(two.url, SIGN_IN, { u: 'cross_throttled', p: PASSWORD });
    expect(code(refused)).toBe('TOO_MANY_REQUESTS');
    // As if the lock's time had passed: the stored window and lock move back (the throttle compares them with now()).
    const admin = new pg.Client(databaseUrl);
    await admin.connect();
    try {
      await admin.query(`update auth_throttle set window_ends = window_ends - $1 * interval '1 second', blocked_until = blocked_until - $1 * interval '1 second'`, [
        (refused.errors![0].extensions!.retryAfter as number) + 1,
      ]);
    } finally {
      await admin.end();
    }
    expect(code(await postGraphQL(two.url, SIGN_IN, { u: 'cross_throttled', p: PASSWORD }))).toBe('OK');
  });

  it('throttles an unknown username the same way', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => postGraphQL((i % 2 ? one : two).url, SIGN_IN, { u: 'cross_nobody', p: `guess ${i}` })),
    );
    const codes = answers.map(code);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(45);
  });
});

describe('revocation across processes', () => {
  it('signOut on one process: the token is refused on the other within a second, over HTTP and on its open subscription', async () => {
    const ada = await signUp(one.url, 'cross_ada');
    const topic = (await gql(one.url, `mutation { createTimeline(input: { name: "CrossSignOut", type: HASHTAG }) { id } }`, {}, ada.token)).createTimeline;
    expect((await gql(two.url, VIEWER, {}, ada.token)).viewer).toEqual({ id: ada.user.id });
    const onTwo = new Subscriber(two.url, topic.id, ada.token);
    subscribers.push(onTwo);
    await onTwo.live((i) => gql(one.url, `mutation($t: ID!, $title: String!) { createEvent(input: { title: $title, timelineId: $t }) { id } }`, { t: topic.id, title: `probe ${i}` }, ada.token));

    expect(await gql(one.url, `mutation { signOut }`, {}, ada.token)).toEqual({ signOut: true });
    expect(await refusedWithin(two.url, ada.token)).toBeLessThan(1000);
    await Promise.race([onTwo.ended(), sleep(1000)]);
    expect(onTwo.errors).toEqual([{ message: `closed with ${REVOKED_CLOSE_CODE}` }]);
  });

  it("changePassword on one process: the user's other tokens are refused on the other, the new one accepted", async () => {
    const bob = await signUp(one.url, 'cross_bob');
    const onTwo = (await gql(two.url, SIGN_IN, { u: 'cross_bob', p: PASSWORD })).signIn.token as string;
    expect((await gql(two.url, VIEWER, {}, onTwo)).viewer).toEqual({ id: bob.user.id });
    const changed = (await gql(one.url, `mutation { changePassword(currentPassword: "${PASSWORD}", newPassword: "new and improved") { token } }`, {}, bob.token))
      .changePassword.token as string;
    expect(await refusedWithin(two.url, onTwo)).toBeLessThan(1000);
    expect(code(await postGraphQL(two.url, VIEWER, {}, bob.token))).toBe('UNAUTHENTICATED');
    expect((await gql(two.url, VIEWER, {}, changed)).viewer).toEqual({ id: bob.user.id });
  });

  it('signOut everywhere holds after a restart of the other process', async () => {
    const cy = await signUp(one.url, 'cross_cy');
    const second = (await gql(two.url, SIGN_IN, { u: 'cross_cy', p: PASSWORD })).signIn.token as string;
    await gql(two.url, VIEWER, {}, cy.token);
    await gql(one.url, `mutation { signOut(everywhere: true) }`, {}, second);
    await two.stop();
    two = await startServerProcess(databaseUrl, SECRET, SETTINGS);
    for (const token of [cy.token, second]) expect(code(await postGraphQL(two.url, VIEWER, {}, token))).toBe('UNAUTHENTICATED');
    const fresh = (await gql(two.url, SIGN_IN, { u: 'cross_cy', p: PASSWORD })).signIn.token as string;
    expect((await gql(one.url, VIEWER, {}, fresh)).viewer).toEqual({ id: cy.user.id });
  }, 60_000);
});
