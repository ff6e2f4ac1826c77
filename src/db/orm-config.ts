import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { join } from 'node:path';
import { codeRoot, type DatabaseTimeouts } from '../config';
import { StepMigrationGenerator } from './migration-generator';
import { ReplicaRoutingDriver } from './replicas';
import { CountingLogger } from './statement-counter';
import { EventDayCount } from '../events/event-day-count.entity';
import { Event } from '../events/event.entity';
import { EventTimelineRef } from '../events/event-timeline-ref.entity';
import { TimelineMember } from '../memberships/timeline-member.entity';
import { TimelineViewer } from '../memberships/timeline-viewer.entity';
import { Timeline } from '../timelines/timeline.entity';
import { AuthThrottle } from '../users/auth-throttle.entity';
import { User } from '../users/user.entity';
import { UserSession } from '../users/user-session.entity';

export const entities = [User, Timeline, Event, EventTimelineRef, EventDayCount, TimelineMember, TimelineViewer, UserSession, AuthThrottle];

/**
 * The one ORM configuration, used by the server, the tests, the scripts and `npx mikro-orm`.
 * Migrations run one transaction each (never all-or-nothing): the V2 chain builds indexes CONCURRENTLY,
 * which PostgreSQL refuses inside a transaction.
 * Reads outside a unit of work go to a replica when `overrides` has `replicas` (see `replicaOptions`).
 * `timeouts` bound every wait on the database (the server's requests); without them nothing times out
 * (migrations and scripts, which may rightly take long).
 */
export function ormConfig(clientUrl: string, overrides: Partial<Options> = {}, timeouts?: DatabaseTimeouts): Options {
  const statementTimeout = timeouts ? ` -c statement_timeout=${timeouts.statementTimeoutMs}` : '';
  return defineConfig({
    driver: ReplicaRoutingDriver,
    clientUrl,
    entities,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
    loggerFactory: (options) => new CountingLogger(options),
    pool: { min: 0, max: 10, ...(timeouts && { acquireTimeoutMillis: timeouts.acquireTimeoutMs }) },
    // `timestamp` columns (legacy: no time zone) hold UTC; `now()` defaults must agree whatever the server's zone.
    // Prepared statements always use their generic plan: see docs/database.md, "Plan reuse".
    driverOptions: {
      connection: {
        options: `-c TimeZone=UTC -c plan_cache_mode=force_generic_plan${statementTimeout}`,
        ...(timeouts && { connectionTimeoutMillis: timeouts.connectTimeoutMs }),
      },
    },
    extensions: [Migrator],
    migrations: {
      // TypeScript under tsx, JavaScript once built: the same folder either way (`dist/migrations` when built).
      path: join(codeRoot, 'migrations'),
      pathTs: join(codeRoot, 'migrations'),
      glob: '!(*.d).{js,ts}',
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: false,
      disableForeignKeys: false,
      snapshot: false,
      emit: 'ts',
      // `migration:create` writes migrations on the step framework, as the chain is written.
      generator: StepMigrationGenerator,
    },
    ...overrides,
  });
}
