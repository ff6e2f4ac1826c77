import { describe, expect, it } from 'vitest';
import { withoutSecrets } from '../../src/server/logger';
import { newUser } from '../support/factories';
import { rawRequest, useTestServer, wsOperation, type TestServer } from './support';

async function post(target: TestServer, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await rawRequest(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { ...response, reqId: response.headers.get('x-request-id') };
}

const SIGN_UP = 'mutation SignUp($u: String!, $password: String!) { signUp(username: $u, password: $password) { token } }';
const SIGN_IN = 'mutation SignIn($u: String!, $password: String!) { signIn(username: $u, password: $password) { token } }';

describe('at info level', () => {
  const server = useTestServer({ logLevel: 'info' });

  it('writes one JSON line per request: request id, operation name, user id, duration', async () => {
    const user = await newUser(server);
    const response = await post(server, 'query Me { viewer { id } }', {}, user.token);
    const lines = server.logs.filter((line) => line.reqId === response.reqId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'Operation', operation: 'Me', userId: Number(user.id) });
    expect(lines[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(lines[0].time).toBeTypeOf('number');
  });

  it('records the error codes of a failed request on its line', async () => {
    const response = await post(server, 'query Missing { timeline(id: "x") { id } }');
    const [line] = server.logs.filter((entry) => entry.reqId === response.reqId);
    expect(line).toMatchObject({ operation: 'Missing', userId: null, errors: ['BAD_USER_INPUT'] });
  });

  it('logs WebSocket operations with the user', async () => {
    const user = await newUser(server);
    await wsOperation(server.url, 'query OverWs { viewer { id } }', { token: user.token });
    expect(server.logs.find((line) => line.operation === 'OverWs')).toMatchObject({ transport: 'ws', userId: Number(user.id) });
  });
});

describe('at debug level', () => {
  const server = useTestServer({ logLevel: 'debug' });

  it('writes variables but never passwords, tokens or the authorization header', async () => {
    const password = 'correct-horse-battery-staple-9';
    const username = `logger_${Date.now()}`;
    const signUp = await post(server, SIGN_UP, { u: username, password });
    const token = signUp.json.data.signUp.token as string;
    await post(server, SIGN_IN, { u: username, password });
    await post(server, 'query Me { viewer { id } }', {}, token);
    await post(server, 'query Nested($input: CreateTimelineInput!, $token: String) { viewer { id } }', { input: { name: 'x' }, token }, token);

    const signUpLine = server.logs.find((line) => line.reqId === signUp.reqId);
    expect(signUpLine?.variables).toEqual({ u: username, password: '[redacted]' });
    const everything = JSON.stringify(server.logs);
    expect(everything).toContain(username);
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.split('.')[2]);
    expect(everything).not.toMatch(/Bearer/);
  });
});

describe('variables that hold secrets', () => {
  it('are blanked at any depth and in any casing', () => {
    expect(withoutSecrets({ u: 'ann', password: 'x', input: { newPassword: 'y', list: [{ Token: 'z', name: 'n' }] }, authorization: 'Bearer q' })).toEqual({
      u: 'ann',
      password: '[redacted]',
      input: { newPassword: '[redacted]', list: [{ Token: '[redacted]', name: 'n' }] },
      authorization: '[redacted]',
    });
  });
});

describe('LOG_LEVEL and slow operations', () => {
  const quiet = useTestServer({ logLevel: 'warn', config: { slowOperationMs: 60_000 } });
  const slow = useTestServer({ logLevel: 'warn', config: { slowOperationMs: 0 } });

  it('writes nothing for ordinary requests at warn level', async () => {
    const response = await post(quiet, 'query Quiet { viewer { id } }');
    expect(response.status).toBe(200);
    expect(quiet.logs.filter((line) => line.reqId === response.reqId)).toEqual([]);
  });

  it('writes operations slower than the threshold at warn', async () => {
    const response = await post(slow, 'query Slow { viewer { id } }');
    const lines = slow.logs.filter((line) => line.reqId === response.reqId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'Slow operation', operation: 'Slow' });
  });
});
