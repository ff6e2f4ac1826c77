import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config';
import { postGraphQL } from '../support/api';

const exec = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'itimeline-prod-'));
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run build, then the compiled server', () => {
  it('compiles to JavaScript that starts with plain node (embedded PostgreSQL, compiled migrations) and answers', async () => {
    await exec('npm', ['run', '-s', 'build'], { cwd: projectRoot, env: { ...process.env, NODE_OPTIONS: '' } });
    expect(existsSync(join(projectRoot, 'dist', 'src', 'main.js'))).toBe(true);
    expect(existsSync(join(projectRoot, 'dist', 'migrations', 'Migration20240101000000_legacy_v1_schema.js'))).toBe(true);

    // What `npm run start:prod` runs; no loader for TypeScript (the test runner's `--import tsx` is taken away), so
    // a TypeScript file reached at run time would fail the start.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'production', JWT_SECRET: 'prod-build-test', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    child = spawn(process.execPath, ['--enable-source-maps', 'dist/src/main.js'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const logs: any[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      child!.once('exit', (code) => reject(new Error(`the compiled server exited with ${code} before it was ready: ${stderr}`)));
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line); // production logs are JSON lines
        logs.push(entry);
        if (entry.url) resolve(entry.url);
      });
    });
    expect(logs.find((entry) => entry.migrations)?.migrations).toContain('Migration20260301000400_index_event_home');

    const signUp = await postGraphQL<any>(url, 'mutation { signUp(username: "prod", password: "a long password") { token user { username } } }');
    expect(signUp.errors).toBeUndefined();
    const token = signUp.data!.signUp.token;
    const created = await postGraphQL(url, 'mutation { createTimeline(input: { name: "Built", type: HASHTAG }) { formattedName } }', undefined, token);
    expect(created).toEqual({ data: { createTimeline: { formattedName: '#Built' } } });
    expect((await fetch(new URL('/readyz', url))).status).toBe(200);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
    expect(stderr).toBe('');
  }, 300_000);
});
