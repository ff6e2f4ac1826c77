import type { PostgreSqlConnection } from '@mikro-orm/postgresql';
import type { ReplicaSettings } from '../config';
import { replicaAddress, type ReplicaRoutingDriver } from './replicas';

/** `streaming`: serves reads. `lagging`: further behind than `maxLagMs`. `lost`: unreachable, or not a standby. */
export type ReplicaState = 'streaming' | 'lagging' | 'lost';

/** What `/readyz` shows of a replica: no address and no driver message, which only the log line carries. */
export interface ReplicaStatus {
  /** `replica-<n>`: the n-th of `DATABASE_REPLICA_URLS`. */
  name: string;
  state: ReplicaState;
  /** How long ago the primary had written what the replica has not replayed yet (0: caught up). */
  lagMs?: number;
  /** Why `lost`: `unreachable` or `not a standby`. */
  reason?: string;
}

/** A change of state, as logged: with the replica's address (host:port/database) and the error, if any. */
export type ReplicaChange = ReplicaStatus & { address: string; error?: string };

interface Sample {
  at: number;
  lsn: bigint;
}

/**
 * Compares each replica's replay position with the primary's WAL position every `checkIntervalMs`, and tells
 * the driver which replicas may serve reads. Lag is measured in time against the primary's own history:
 * the age of the oldest primary position the replica has not replayed yet. Unlike `now() -
 * pg_last_xact_replay_timestamp()` on the replica alone, this is 0 for an idle primary and grows for a
 * replica that stopped receiving. Resolution: one check interval.
 */
export class ReplicaMonitor {
  private samples: Sample[] = [];
  private statuses: ReplicaStatus[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly driver: ReplicaRoutingDriver,
    private readonly settings: Pick<ReplicaSettings, 'maxLagMs' | 'checkIntervalMs'>,
    private readonly log: (change: ReplicaChange) => void = () => undefined,
  ) {
    driver.onReplicaFailure = (connection, error) => {
      const i = driver.replicaConnections().findIndex((replica) => replica.connection === connection);
      if (this.statuses[i]) this.update(i, { name: this.statuses[i].name, state: 'lost', reason: 'unreachable' }, error.message);
    };
  }

  /** Resolves after the first check, so that no read goes to a replica that was never seen streaming. */
  async start(): Promise<void> {
    if (this.driver.replicaConnections().length === 0) return;
    await this.check();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  status(): ReplicaStatus[] {
    return this.statuses;
  }

  check(): Promise<void> {
    this.running ??= this.checkAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.check().finally(() => this.schedule()), this.settings.checkIntervalMs);
    this.timer.unref();
  }

  private async checkAll(): Promise<void> {
    const primary = await this.primaryPosition();
    const replicas = this.driver.replicaConnections();
    await Promise.all(
      replicas.map(async ({ connection, name }, i) => {
        let error: string | undefined;
        const status: ReplicaStatus = await replayPosition(connection).then(
          (replayed) => (replayed === undefined ? { name, state: 'lost', reason: 'not a standby' } : this.judge(name, replayed, primary)),
          (failure: Error) => {
            error = failure.message;
            return { name, state: 'lost', reason: 'unreachable' };
          },
        );
        this.driver.setFit(connection, status.state === 'streaming');
        this.update(i, status, error);
      }),
    );
  }

  /** Undefined when the primary cannot be read. */
  private async primaryPosition(): Promise<bigint | undefined> {
    try {
      const row = await this.driver.getConnection('write').execute<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn', [], 'get');
      const sample = { at: Date.now(), lsn: parseLsn(row.lsn) };
      const horizon = sample.at - Math.max(this.settings.maxLagMs * 4, 60_000);
      this.samples = [...this.samples.filter((s) => s.at >= horizon), sample];
      return sample.lsn;
    } catch {
      return undefined;
    }
  }

  private judge(name: string, replayed: bigint, primary: bigint | undefined): ReplicaStatus {
    // The primary is unreachable: lag cannot be measured, and a replica that answers is the best place for reads.
    if (primary === undefined) return { name, state: 'streaming' };
    const behind = this.samples.find((sample) => sample.lsn > replayed);
    const lagMs = behind ? Date.now() - behind.at : 0;
    return { name, state: lagMs > this.settings.maxLagMs ? 'lagging' : 'streaming', lagMs };
  }

  private update(i: number, status: ReplicaStatus, error?: string): void {
    const previous = this.statuses[i];
    const statuses = [...this.statuses];
    statuses[i] = status;
    this.statuses = statuses;
    if (previous?.state !== status.state) this.log({ ...status, address: replicaAddress(this.driver.replicaConnections()[i].clientUrl), error });
  }
}

/** The replica's replay position; undefined for a server that is not in recovery (a promoted replica). */
async function replayPosition(connection: PostgreSqlConnection): Promise<bigint | undefined> {
  const row = await connection.execute<{ recovering: boolean; lsn: string | null }>(
    'select pg_is_in_recovery() as recovering, pg_last_wal_replay_lsn()::text as lsn',
    [],
    'get',
  );
  return row.recovering && row.lsn ? parseLsn(row.lsn) : undefined;
}

/** `16/B374D848` → its byte position. */
function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}
