import { OperationTypeNode } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
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
export type Context = Scope & Services;

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
  const em = deps.orm.em.fork({ loggerContext: { statements } satisfies Partial<CountedLogContext> });
  const db = new PreparedStatements(em, statements);
  const credentials = credentialsFromAuthorization(deps.tokens, authorization);
  const sessionUser = credentials && (await deps.sessions.assertActive(credentials, db));
  const viewerId = credentials?.userId ?? null;
  const loaders = new Loaders(db, viewerId);
  if (sessionUser) loaders.user.prime(sessionUser.id, sessionUser);
  const scope: Scope = {
    viewerId,
    sessionId: credentials?.sessionId ?? null,
    clientAddress,
    get em() {
      return db.em;
    },
    db,
    statements,
    loaders,
    eventBus: deps.eventBus,
  };
  return Object.assign(scope, services(scope, deps));
}

/**
 * Queries may read from a replica. A mutation reads from the primary (its checks and its response see what
 * it writes), and so does a subscription: its events were committed on the primary a moment ago.
 */
export function routeReads(scope: Scope, operation: OperationTypeNode | undefined): void {
  if (operation !== OperationTypeNode.QUERY) scope.db.readFromPrimary();
}

/** Every service of an operation, each given what it uses. */
function services(scope: Scope, deps: AccountDeps): Services {
  const users = new UserService(scope, deps);
  const timelines = new TimelineService(scope, users);
  return {
    users,
    timelines,
    events: new EventService(scope, users, timelines),
    memberships: new MembershipService(scope, users, timelines),
    viewers: new ViewerService(scope, users, timelines),
  };
}
