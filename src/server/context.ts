import { OperationTypeNode } from 'graphql';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Scope } from '../common/scope';
import { PreparedStatements } from '../db/prepared';
import { StatementCounter, type CountedLogContext } from '../db/statement-counter';
import type { EventBus } from '../events/event-bus';
import { EventService } from '../events/event.service';
import { MembershipService } from '../memberships/membership.service';
import { ViewerService } from '../memberships/viewer.service';
import { TimelineService } from '../timelines/timeline.service';
import { credentialsFromAuthorization } from '../users/tokens';
import { UserService, type AccountDeps } from '../users/user.service';
import { Loaders } from './loaders';

export interface Services {
  users: UserService;
  timelines: TimelineService;
  events: EventService;
  memberships: MembershipService;
  viewers: ViewerService;
}

/** What every resolver sees: built once per operation, HTTP and WebSocket alike. */
export type Context = Scope &
  Services & {
    /**
     * Lets the operation's EntityManager fork and the rows its loaders cached go, once its response is ready
     * (HTTP): anything that still holds the context afterwards holds only the rest (see `releaseOperations`).
     */
    release(): void;
  };

export interface ContextDeps extends AccountDeps {
  /** Its global EntityManager is only forked, once per operation (`allowGlobalContext` stays false). */
  orm: MikroORM;
  eventBus?: EventBus;
}

/**
 * `authorization` is the `Authorization` header (or the WebSocket connection param). A token whose session
 * was revoked (or names a user that does not exist) is UNAUTHENTICATED, not anonymous. `clientAddress` is
 * what sign-in throttling counts per address.
 */
export async function createContext(deps: ContextDeps, authorization: string | undefined, clientAddress?: string): Promise<Context> {
  const statements = new StatementCounter();
  const em = deps.orm.em.fork();
  em.setLoggerContext({ statements } satisfies Partial<CountedLogContext>);
  const db = new PreparedStatements(em, statements);
  const credentials = credentialsFromAuthorization(deps.tokens, authorization);
  const sessionUser = credentials && (await deps.sessions.assertActive(credentials, db));
  const viewerId = credentials?.userId ?? null;
  const loaders = new Loaders(db, viewerId);
  if (sessionUser) loaders.user.prime(sessionUser.id, sessionUser);
  return new OperationContext(deps, db, loaders, viewerId, credentials?.sessionId ?? null, clientAddress);
}

/**
 * A class rather than an object literal: Apollo clones the context of each request (`Object.assign` onto a
 * new object of the same prototype), and an accessor among the own properties (`em`) sends that copy down a
 * slow path, about 2 µs per request measured here; on the prototype it costs nothing to copy.
 */
class OperationContext implements Context {
  readonly statements: StatementCounter;
  readonly eventBus: EventBus | undefined;
  closeConnection?: (code: number, reason: string) => void;
  readonly users: UserService;
  readonly timelines: TimelineService;
  readonly events: EventService;
  readonly memberships: MembershipService;
  readonly viewers: ViewerService;

  constructor(
    deps: ContextDeps,
    readonly db: PreparedStatements,
    public loaders: Loaders,
    readonly viewerId: number | null,
    readonly sessionId: string | null,
    readonly clientAddress: string | undefined,
  ) {
    this.statements = db.counter;
    this.eventBus = deps.eventBus;
    // Every service of the operation, each given what it uses.
    this.users = new UserService(this, deps);
    this.timelines = new TimelineService(this, this.users);
    this.events = new EventService(this, this.users, this.timelines);
    this.memberships = new MembershipService(this, this.users, this.timelines);
    this.viewers = new ViewerService(this, this.users, this.timelines);
  }

  get em(): EntityManager {
    return this.db.em;
  }

  release(): void {
    this.db.release();
    this.loaders.clear();
  }
}

/**
 * Queries may read from a replica. A mutation reads from the primary (its checks and its response see what
 * it writes), and so does a subscription: its events were committed on the primary a moment ago.
 */
export function routeReads(scope: Scope, operation: OperationTypeNode | undefined): void {
  if (operation !== OperationTypeNode.QUERY) scope.db.readFromPrimary();
}
