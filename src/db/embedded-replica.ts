import { chmodSync, chownSync, copyFileSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { serverOwner, startEmbeddedPostgres, type EmbeddedDatabase, type RunAs } from './embedded-postgres';

/** Left out of the copy: the primary's process files; its WAL (the replica streams it) and slots stay empty folders. */
const NOT_COPIED = new Set(['postmaster.pid', 'postmaster.opts']);
const EMPTIED = new Set(['pg_wal', 'pg_replslot']);
const STREAMING_TIMEOUT_MS = 60_000;

export interface ReplicaOptions {
  /** Where the copy goes (deleted when the replica stops). */
  dataDir: string;
  /** Its replication slot and `application_name` on the primary. */
  name: string;
  settings?: Record<string, string>;
  log?: (line: string) => void;
}

/**
 * A streaming replica of an embedded primary, made with the server binary alone (the embedded packages ship
 * no `pg_basebackup`): PostgreSQL's low-level base backup. A physical replication slot keeps the primary's
 * WAL from before the backup; `pg_backup_start()`, a copy of the data directory, `pg_backup_stop()`, whose
 * label file goes into the copy; then `standby.signal` and `primary_conninfo`, and the replica streams
 * everything since the backup began from the slot. Resolves once the primary reports it streaming.
 * For tests and benchmarks; the primary needs `wal_level` replica (the default) and a `replication` line
 * in pg_hba.conf (initdb writes one for the loopback address).
 */
export async function startEmbeddedReplica(primary: EmbeddedDatabase, options: ReplicaOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const admin = new pg.Client(primary.url);
  await admin.connect();
  try {
    await admin.query('select pg_create_physical_replication_slot($1, true)', [options.name]);
    // One session from start to stop: a non-exclusive backup ends with the session that started it.
    await admin.query('select pg_backup_start($1, true)', [options.name]);
    copyDataDirectory(primary.dataDir, dataDir);
    const { rows } = await admin.query<{ labelfile: string; spcmapfile: string }>('select labelfile, spcmapfile from pg_backup_stop(false)');
    writeFileSync(join(dataDir, 'backup_label'), rows[0].labelfile);
    if (rows[0].spcmapfile) writeFileSync(join(dataDir, 'tablespace_map'), rows[0].spcmapfile);
    writeFileSync(join(dataDir, 'standby.signal'), '');
    chownTree(dataDir, serverOwner());
  } finally {
    await admin.end();
  }

  const { hostname, username, password } = new URL(primary.url);
  const conninfo = `host=${hostname} port=${primary.port} user=${username} password=${password} application_name=${options.name}`;
  const replica = await startEmbeddedPostgres({
    dataDir,
    persistent: false,
    log: options.log,
    settings: { primary_conninfo: conninfo, primary_slot_name: options.name, hot_standby: 'on', ...options.settings },
  });
  await untilStreaming(primary, options.name);
  return replica;
}

/** Waits until the primary's `pg_stat_replication` shows the replica `name` streaming. */
export async function untilStreaming(primary: EmbeddedDatabase, name: string): Promise<void> {
  const client = new pg.Client(primary.url);
  await client.connect();
  try {
    for (const started = Date.now(); Date.now() - started < STREAMING_TIMEOUT_MS; await sleep(100)) {
      const { rows } = await client.query(`select state from pg_stat_replication where application_name = $1`, [name]);
      if (rows[0]?.state === 'streaming') return;
    }
    throw new Error(`Replica ${name} did not start streaming within ${STREAMING_TIMEOUT_MS / 1000} s`);
  } finally {
    await client.end();
  }
}

/** Copies a live data directory: files the server removes meanwhile are skipped (replay recreates them). */
function copyDataDirectory(from: string, to: string): void {
  mkdirSync(to, { recursive: true, mode: 0o700 });
  chmodSync(to, 0o700);
  for (const entry of readdirSync(from)) {
    if (EMPTIED.has(entry)) mkdirSync(join(to, entry), { mode: 0o700 });
    else if (!NOT_COPIED.has(entry)) copyTree(join(from, entry), join(to, entry));
  }
}

function copyTree(from: string, to: string): void {
  try {
    const stat = lstatSync(from);
    if (stat.isDirectory()) {
      mkdirSync(to, { mode: 0o700 });
      for (const entry of readdirSync(from)) copyTree(join(from, entry), join(to, entry));
    } else if (stat.isFile()) {
      copyFileSync(from, to);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function chownTree(path: string, owner: RunAs): void {
  if (!owner) return;
  chownSync(path, owner.uid, owner.gid);
  if (lstatSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), owner);
}
