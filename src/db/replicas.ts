import { PostgreSqlDriver, type Configuration, type ConnectionType, type Options, type PostgreSqlConnection } from '@mikro-orm/postgresql';
import { isDatabaseUnavailable } from '../common/db-errors';

/** The ORM options for `DATABASE_REPLICA_URLS`: MikroORM's own `replicas`, each named for logs and `/readyz`. */
export function replicaOptions(urls: readonly string[]): Partial<Options> {
  return { replicas: urls.map((clientUrl, i) => ({ name: `replica-${i + 1}`, clientUrl })) };
}

/** What `/readyz` and the logs show of a replica: its address without credentials. */
export function replicaAddress(clientUrl: string): string {
  const url = new URL(clientUrl);
  return `${url.hostname}:${url.port || 5432}${url.pathname}`;
}

/**
 * MikroORM's PostgreSQL driver, whose `read` connection is one of the replicas currently fit to serve reads
 * (in turn), or the primary when none is: MikroORM's own would pick any replica at random, a stopped or
 * lagging one included. Fitness is the ReplicaMonitor's verdict, and a read that finds its replica gone
 * marks it at once (`PreparedStatements` then runs the read on the primary). `write` is always the primary.
 */
export class ReplicaRoutingDriver extends PostgreSqlDriver {
  private readonly unfit = new Set<PostgreSqlConnection>();
  private fit: PostgreSqlConnection[] = [];
  private turn = 0;

  constructor(config: Configuration) {
    super(config);
    this.fit = [...this.replicas];
  }

  override getConnection(type: ConnectionType = 'write'): PostgreSqlConnection {
    if (type === 'write' || this.fit.length === 0) return this.connection;
    this.turn = (this.turn + 1) % this.fit.length;
    return this.fit[this.turn];
  }

  /** The replicas in the order of `DATABASE_REPLICA_URLS`, with their configured names and URLs. */
  replicaConnections(): { connection: PostgreSqlConnection; name: string; clientUrl: string }[] {
    const configured = this.config.get('replicas') ?? [];
    return this.replicas.map((connection, i) => ({ connection, name: configured[i]?.name ?? `replica-${i + 1}`, clientUrl: configured[i]?.clientUrl ?? '' }));
  }

  isReplica(connection: unknown): connection is PostgreSqlConnection {
    return (this.replicas as unknown[]).includes(connection);
  }

  /** Called when a read finds a replica unusable (the ReplicaMonitor reports it lost at once). */
  onReplicaFailure?: (replica: PostgreSqlConnection, error: Error) => void;

  /** A read could not be served by `replica`: it serves none until a check sees it streaming again. */
  replicaFailed(replica: PostgreSqlConnection, error: Error): void {
    this.setFit(replica, false);
    this.onReplicaFailure?.(replica, error);
  }

  setFit(replica: PostgreSqlConnection, fit: boolean): void {
    if (fit === !this.unfit.has(replica)) return;
    if (fit) this.unfit.delete(replica);
    else this.unfit.add(replica);
    this.fit = this.replicas.filter((connection) => !this.unfit.has(connection));
  }
}

/**
 * A read that failed on a replica but would work on the primary: the replica is down, restarting or
 * unreachable, or cancelled the statement because it conflicted with replaying the primary's changes
 * (SQLSTATE 40001 on a standby: "canceling statement due to conflict with recovery").
 */
export function replicaCannotServe(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // MikroORM's conversion renames knex's KnexTimeoutError (a replica whose pool could not connect in time).
  if (isDatabaseUnavailable(error) || /Timeout acquiring a connection/.test(error.message)) return true;
  return (error as { code?: unknown }).code === '40001' && /conflict with recovery/.test(error.message);
}
