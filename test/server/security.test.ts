import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/users/passwords';
import { errorCode } from '../support/api';
import { newUser } from '../support/factories';
import { useTestServer, wsOperation } from './support';

const SIGN_UP = 'mutation($u: String!, $p: String!) { signUp(username: $u, password: $p) { token user { id } } }';
const SIGN_IN = 'mutation($u: String!, $p: String!) { signIn(username: $u, password: $p) { token } }';
const VIEWER = '{ viewer { id } }';

/** Classic injection payloads, each a valid name (no control characters, no reserved prefix). */
const INJECTIONS = [
  `Robert'); DROP TABLE timeline;--`,
  `' OR '1'='1`,
  `x" OR 1=1; --`,
  `1; SELECT pg_sleep(5)`,
  `$$; DELETE FROM "user"; $$`,
  `\\'; TRUNCATE event_timeline_refs; --`,
  `%' AND name LIKE '%`,
  `'||(select password_hash from "user" limit 1)||'`,
];

describe('passwords', () => {
  const server = useTestServer();

  it('are stored as salted scrypt hashes, never as given', async () => {
    const password = 'the same password twice';
    const first = await newUser(server, { password });
    const second = await newUser(server, { password });
    const { rows } = await server.db.query('select password_hash from "user" where id = any($1::int[]) order by id', [[first.id, second.id]]);
    for (const { password_hash: hash } of rows) {
      expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
      expect(hash).not.toContain(password);
    }
    expect(rows[0].password_hash).not.toBe(rows[1].password_hash);
  });

  it('verify only the right password, and refuse when there is no stored hash', async () => {
    const stored = await hashPassword('right password');
    expect(await verifyPassword('right password', stored)).toBe(true);
    expect(await verifyPassword('right passwore', stored)).toBe(false);
    expect(await verifyPassword('right password', null)).toBe(false);
    expect(await verifyPassword('right password', 'plain-text-legacy')).toBe(false);
  });

  it('signIn answers an unknown username, a wrong password and a password-less legacy user alike', async () => {
    const user = await newUser(server, { password: 'the right one' });
    await server.db.query(`insert into "user" (username, password_hash) values ('legacy_no_password', null)`);
    const answers = await Promise.all([
      server.request(SIGN_IN, { u: user.username, p: 'the wrong one' }),
      server.request(SIGN_IN, { u: 'nobody_by_that_name', p: 'the wrong one' }),
      server.request(SIGN_IN, { u: 'legacy_no_password', p: 'the wrong one' }),
    ]);
    const shapes = answers.map((answer) => JSON.stringify({ data: answer.data, errors: answer.errors }));
    expect(new Set(shapes).size).toBe(1);
    expect(errorCode(answers[0])).toBe('UNAUTHENTICATED');
  });
});

describe('tokens', () => {
  const server = useTestServer({ config: { tokenTtlSeconds: 3 } });

  it('expire after their time to live, over HTTP and WebSocket', async () => {
    const user = await newUser(server);
    expect((await server.request(VIEWER, {}, user.token)).data).toEqual({ viewer: { id: user.id } });
    const expiry = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString()).exp * 1000;
    await sleep(Math.max(0, expiry - Date.now()) + 1100);
    const response = await server.request(VIEWER, {}, user.token);
    expect(response.errors?.[0]).toMatchObject({ message: 'The token has expired; sign in again', extensions: { code: 'UNAUTHENTICATED' } });
    expect((await wsOperation(server.url, VIEWER, { token: user.token })).closeCode).toBe(4403);
  });
});

describe('SQL injection strings', () => {
  const server = useTestServer();

  it('are stored and returned verbatim in timeline names and descriptions, and found by name and search', async () => {
    const owner = await newUser(server);
    const before = await server.db.query('select (select count(*) from timeline)::int as timelines, (select count(*) from "user")::int as users');
    for (const [index, text] of INJECTIONS.entries()) {
      for (const type of ['HASHTAG', 'COMMUNITY', 'PERSONAL'] as const) {
        const created = await server.request(
          'mutation($input: CreateTimelineInput!) { createTimeline(input: $input) { id name formattedName description } }',
          { input: { name: text, type, description: `${text} (${index})` } },
          owner.token,
        );
        expect(created.errors).toBeUndefined();
        expect(created.data!.createTimeline).toMatchObject({ name: text, description: `${text} (${index})` });
        const found = await server.request(
          'query($n: String!) { timelineByName(formattedName: $n) { id name } }',
          { n: created.data!.createTimeline.formattedName },
          owner.token,
        );
        expect(found.data!.timelineByName).toEqual({ id: created.data!.createTimeline.id, name: text });
      }
      const stored = await server.db.query(`select name, description from timeline where timeline_type = 'hashtag' and name = $1`, [text]);
      expect(stored.rows).toEqual([{ name: text, description: `${text} (${index})` }]);
      const searched = await server.request('query($s: String!) { timelines(type: COMMUNITY, search: $s) { edges { node { name } } } }', { s: text });
      expect(searched.data!.timelines.edges.map((edge: any) => edge.node.name)).toEqual([text]);
    }
    const after = await server.db.query('select (select count(*) from timeline)::int as timelines, (select count(*) from "user")::int as users');
    expect(after.rows[0]).toEqual({ timelines: before.rows[0].timelines + INJECTIONS.length * 3, users: before.rows[0].users });
  });

  it('are stored and returned verbatim in every text field of an event, its tags included', async () => {
    const author = await newUser(server);
    const home = await server.gql('mutation { createTimeline(input: { name: "Injection home", type: COMMUNITY }) { id } }', {}, author.token);
    const fields = 'id title description url mediaUrl tags timelines { name type }';
    for (const [index, text] of INJECTIONS.entries()) {
      const url = `https://example.com/${index}?q='OR'1'='1;DROP--&x="$$"`;
      const input = { title: text, description: `${text} described`, type: 'MEDIA', url, mediaUrl: `${url}&media`, timelineId: home.createTimeline.id, tags: [text] };
      const created = await server.request(`mutation($input: CreateEventInput!) { createEvent(input: $input) { ${fields} } }`, { input }, author.token);
      expect(created.errors).toBeUndefined();
      const expected = { title: text, description: `${text} described`, url, mediaUrl: `${url}&media`, tags: [text] };
      expect(created.data!.createEvent).toMatchObject(expected);
      expect(created.data!.createEvent.timelines).toContainEqual({ name: text, type: 'HASHTAG' });
      const read = await server.request(`query($id: ID!) { event(id: $id) { ${fields} } }`, { id: created.data!.createEvent.id }, author.token);
      expect(read.data!.event).toMatchObject(expected);
      const stored = await server.db.query('select title, description, url, media_url, tags from event where id = $1', [created.data!.createEvent.id]);
      expect(stored.rows[0]).toEqual({ title: text, description: `${text} described`, url, media_url: `${url}&media`, tags: [text] });
    }
  });

  it('work as passwords and are refused as usernames without touching other accounts', async () => {
    // Three are enough here: each costs three scrypt hashes.
    for (const [index, password] of INJECTIONS.slice(0, 3).entries()) {
      const username = `injected_${index}`;
      expect((await server.request(SIGN_UP, { u: username, p: password })).errors).toBeUndefined();
      expect((await server.request(SIGN_IN, { u: username, p: password })).errors).toBeUndefined();
      expect(errorCode(await server.request(SIGN_IN, { u: username, p: `${password}x` }))).toBe('UNAUTHENTICATED');
    }
    for (const username of INJECTIONS) {
      expect(errorCode(await server.request(SIGN_UP, { u: username, p: 'long enough password' }))).toBe('BAD_USER_INPUT');
      expect(errorCode(await server.request(SIGN_IN, { u: username, p: `' OR '1'='1` }))).toBe('UNAUTHENTICATED');
    }
  });
});
