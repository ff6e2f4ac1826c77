import type { MikroORM } from '@mikro-orm/postgresql';
import { Router } from 'express';
import type { ReplicaMonitor, ReplicaStatus } from '../db/replica-monitor';
import type { Logger } from './logger';

export interface Readiness {
  ready: boolean;
  /** Why not, in a few words. */
  reason?: string;
  /**
   * Each read replica's state. A lagging or lost one leaves the process ready: its reads go to the other
   * replicas or the primary meanwhile, and every process shares the replicas, so a 503 here would take the
   * whole service out of the load balancer for a slower read path.
   */
  replicas?: ReplicaStatus[];
}

/**
 * `GET /healthz`: the process is up (liveness). `GET /readyz`: the database answers and has no pending
 * migration, and the server is not shutting down (readiness). The database check is shared by concurrent
 * probes and kept for `cacheMs`, so that probes from many load balancers cost one query.
 */
export class Health {
  private shuttingDown = false;
  private check?: { at: number; result: Promise<Readiness> };

  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
    private readonly replicas?: ReplicaMonitor,
    private readonly cacheMs = 1000,
  ) {}

  /** From now on `/readyz` answers 503, so load balancers stop sending new requests. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  readiness(): Promise<Readiness> {
    if (this.shuttingDown) return Promise.resolve({ ready: false, reason: 'shutting down' });
    const now = Date.now();
    if (!this.check || now - this.check.at > this.cacheMs) this.check = { at: now, result: this.checkDatabase() };
    const replicas = this.replicas?.status();
    return replicas?.length ? this.check.result.then((readiness) => ({ ...readiness, replicas })) : this.check.result;
  }

  router(): Router {
    const router = Router();
    router.get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    });
    router.get('/readyz', async (_req, res) => {
      const { ready, reason, replicas } = await this.readiness();
      res.status(ready ? 200 : 503).json({ ...(ready ? { status: 'ready' } : { status: 'unavailable', reason }), ...(replicas && { replicas }) });
    });
    return router;
  }

  private async checkDatabase(): Promise<Readiness> {
    try {
      const pending = await this.orm.getMigrator().getPendingMigrations();
      if (pending.length > 0) return { ready: false, reason: `${pending.length} pending migration(s)` };
      return { ready: true };
    } catch (error) {
      this.logger.warn({ err: error }, 'Readiness check: database unreachable');
      return { ready: false, reason: 'database unreachable' };
    }
  }
}
