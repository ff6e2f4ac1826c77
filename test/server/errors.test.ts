import { afterEach, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/common/db-errors';
import { newUser } from '../support/factories';
import { rawRequest, useTestServer, type TestServer } from './support';

const server = useTestServer({ config: { reportStatementCount: false }, timeouts: { statementTimeoutMs: 500, connectTimeoutMs: 2000, acquireTimeoutMs: 2000 } });

const LEAKS = [/select|insert|update|delete from/i, /statement|constraint|relation|violat|cancel/i, /\btimeline\b|event_timeline_refs/, /\.ts:\d+|\.js:\d+|\n\s+at /];

async function post(target: TestServer, query: string, variables: Record<string, unknown>, token?: string) {
  return rawRequest(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
}

function expectMasked(response: { json?: any; text: string }) {
  expect(response.json.errors).toHaveLength(1);
  expect(response.json.errors[0].message).toBe('Internal server error');
  expect(response.json.errors[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  for (const leak of LEAKS) expect(response.text).not.toMatch(leak);
}

function errorLines(reqId: string | null) {
  return server.logs.filter((line) => line.level >= 50 && line.reqId === reqId);
}

describe('unexpected errors', () => {
  afterEach(async () => {
    await server.db.query('rollback').catch(() => undefined);
  });

  it('masks a database error (statement timeout on a locked table) and logs it once with the request id', async () => {
    await server.db.query('begin');
    await server.db.query('lock table timeline in access exclusive mode');
    const response = await post(server, 'query Listing { timelines(first: 5) { edges { node { id name } } } }', {});
    await server.db.query('rollback');
    expectMasked(response);
    const reqId = response.headers.get('x-request-id');
    const logged = errorLines(reqId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ msg: 'Unexpected error', operation: 'Listing', err: { code: '57014' } });
    expect(logged[0].err.stack).toBeTruthy();
  });

  it('masks a constraint violation and leaves nothing behind', async () => {
    const user = await newUser(server);
    await server.db.query(`alter table timeline add constraint secret_description_rule check (description is null or length(description) < 10)`);
    try {
      const name = 'Violating';
      const response = await post(
        server,
        'mutation Create($input: CreateTimelineInput!) { createTimeline(input: $input) { id } }',
        { input: { name, type: 'COMMUNITY', description: 'far longer than ten characters' } },
        user.token,
      );
      expectMasked(response);
      expect(response.text).not.toMatch(/secret_description_rule/);
      const logged = errorLines(response.headers.get('x-request-id'));
      expect(logged).toHaveLength(1);
      expect(logged[0].err.message).toMatch(/secret_description_rule/);
      expect(logged[0].userId).toBe(Number(user.id));
      const { rowCount } = await server.db.query('select 1 from timeline where name = $1', [name]);
      expect(rowCount).toBe(0);
    } finally {
      await server.db.query('alter table timeline drop constraint secret_description_rule');
    }
  });

  it('does not log expected errors as failures', async () => {
    const before = server.logs.filter((line) => line.level >= 50).length;
    const response = await post(server, 'query { timeline(id: "not-an-id") { id } }', {});
    expect(response.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const refused = await post(server, 'mutation { createTimeline(input: { name: "X", type: HASHTAG }) { id } }', {});
    expect(refused.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(server.logs.filter((line) => line.level >= 50)).toHaveLength(before);
  });
});

describe('isDatabaseUnavailable', () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('recognises each way pg reports a database that is down, restarting or unreachable', () => {
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is shutting down', '57P03'),
      new Error('BEGIN; - Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' }),
    ]) {
      expect(isDatabaseUnavailable(error)).toBe(true);
    }
  });

  it('leaves other database errors and bugs alone', () => {
    expect(isDatabaseUnavailable(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isDatabaseUnavailable(withCode('canceling statement due to statement timeout', '57014'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('undefined is not a function'))).toBe(false);
  });
});
