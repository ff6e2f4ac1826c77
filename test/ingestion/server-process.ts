import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/config';
import { postGraphQL } from '../support/api';

export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * `npm start`'s entry (`src/main.ts`) in a child process of its own, on `databaseUrl` and a free port;
 * resolves with the URL it prints once ready. `env`: settings of the test's choosing.
 */
export function startServerProcess(databaseUrl: string, jwtSecret: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(join(projectRoot, 'node_modules', '.bin', 'tsx'), ['src/main.ts'], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: jwtSecret, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready at (http\S+)/.exec(output);
      if (ready) resolve({ url: ready[1], pid: child.pid!, stop: () => stop(child) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`Server process exited with ${code} before it was ready:\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The data of `query` posted to a server process at `url`; its errors, if any, thrown. */
export async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await postGraphQL<Record<string, any>>(url, query, variables, token);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!;
}

/** A new user signed up on the server process at `url`, with its token. */
export async function signUp(url: string, username: string, password = 'correct horse battery') {
  const data = await gql(url, `mutation($u: String!, $p: String!) { signUp(username: $u, password: $p) { token user { id } } }`, { u: username, p: password });
  return data.signUp as { token: string; user: { id: string } };
}
