import { OperationTypeNode } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import { badCredentials } from '../common/errors';
import type { Scope } from '../common/scope';
import { PreparedStatements } from '../db/prepared';
import { StatementCounter, type CountedLogContext } from '../db/statement-counter';
import type { EventBus } from '../events/event-bus';
import { EventService } from '../events/event.service';
import { MembershipService } from '../memberships/membership.service';
import { ViewerService } from '../memberships/viewer.service';
import { TimelineService } from '../timelines/timeline.service';
import type { TokenConfig } from '../users/tokens';
import { userIdFromAuthorization } from '../users/tokens';
import { UserRepository } from '../users/user.repository';
import { UserService } from '../users/user.service';
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

export interface ContextDeps {
  /** Its global EntityManager is only forked, once per operation (`allowGlobalContext` stays false). */
  orm: MikroORM;
  tokens: TokenConfig;
  knownUsers: KnownUsers;
  eventBus?: EventBus;
}

/**
 * `authorization` is the `Authorization` header (or the WebSocket connection param). A token naming a user
 * that does not exist is UNAUTHENTICATED, not anonymous.
 */
export async function createContext(deps: ContextDeps, authorization: string | undefined): Promise<Context> {
  const statements = new StatementCounter();
  const em = deps.orm.em.fork({ loggerContext: { statements } satisfies Partial<CountedLogContext> });
  const db = new PreparedStatements(em, statements);
  const viewerId = userIdFromAuthorization(deps.tokens, authorization) ?? null;
  const loaders = new Loaders(db, viewerId);
  if (viewerId !== null && !(await deps.knownUsers.exists(viewerId, db, loaders))) {
    throw badCredentials('The token names a user that does not exist');
  }
  const scope: Scope = { viewerId, em, db, statements, loaders, eventBus: deps.eventBus };
  return Object.assign(scope, services(scope, deps.tokens));
}

/**
 * Queries may read from a replica. A mutation reads from the primary (its checks and its response see what
 * it writes), and so does a subscription: its events were committed on the primary a moment ago.
 */
export function routeReads(scope: Scope, operation: OperationTypeNode | undefined): void {
  if (operation !== OperationTypeNode.QUERY) scope.db.readFromPrimary();
}

/** Every service of an operation, each given what it uses. */
function services(scope: Scope, tokens: TokenConfig): Services {
  const users = new UserService(scope, tokens);
  const timelines = new TimelineService(scope, users);
  return {
    users,
    timelines,
    events: new EventService(scope, users, timelines),
    memberships: new MembershipService(scope, users, timelines),
    viewers: new ViewerService(scope, users, timelines),
  };
}

/**
 * Users are never deleted, so a user id once seen to exist is remembered (up to `capacity` ids) and the
 * check costs a statement only the first time a process sees that user.
 */
export class KnownUsers {
  private readonly ids = new Set<number>();

  constructor(private readonly capacity = 100_000) {}

  /**
   * On the primary, whatever the operation: a replica may not have replayed a sign-up of a moment ago, and
   * the operation's type (which decides where its reads go) is not known yet when its context is built.
   */
  async exists(id: number, db: PreparedStatements, loaders: Loaders): Promise<boolean> {
    if (this.ids.has(id)) return true;
    const [user] = await new UserRepository(db.onPrimary()).findByIds([id]);
    if (!user) return false;
    loaders.user.prime(id, user);
    if (this.ids.size >= this.capacity) this.ids.clear();
    this.ids.add(id);
    return true;
  }

  remember(id: number): void {
    this.ids.add(id);
  }
}
