import type pg from 'pg';
import { badCredentials } from '../common/errors';
import { Sql } from '../db/sql';
import type { EventBus } from '../events/event-bus';
import { EventService } from '../events/event.service';
import { MembershipService } from '../memberships/membership.service';
import { ViewerService } from '../memberships/viewer.service';
import { TimelineService } from '../timelines/timeline.service';
import type { TokenConfig } from '../users/tokens';
import { userIdFromAuthorization } from '../users/tokens';
import { UserService } from '../users/user.service';
import { Loaders } from './loaders';

/** What every resolver sees: built once per operation, HTTP and WebSocket alike. */
export interface Context {
  /** Null for an anonymous caller. */
  viewerId: number | null;
  sql: Sql;
  loaders: Loaders;
  users: UserService;
  timelines: TimelineService;
  events: EventService;
  memberships: MembershipService;
  viewers: ViewerService;
  /** Where `eventAdded` subscriptions listen; absent when the app runs without one. */
  eventBus?: EventBus;
}

export interface ContextDeps {
  /**
   * The request pool (`createRequestPool`): requests run hand-written SQL only (see `Sql`), so they need
   * no entity manager of their own, and none can reach the global one.
   */
  pool: pg.Pool;
  tokens: TokenConfig;
  knownUsers: KnownUsers;
  eventBus?: EventBus;
}

/**
 * `authorization` is the `Authorization` header (or the WebSocket connection param). A token naming a user
 * that does not exist is UNAUTHENTICATED, not anonymous.
 */
export async function createContext(deps: ContextDeps, authorization: string | undefined): Promise<Context> {
  const sql = Sql.onPool(deps.pool);
  const viewerId = userIdFromAuthorization(deps.tokens, authorization) ?? null;
  const loaders = new Loaders(sql, viewerId);
  if (viewerId !== null && !(await deps.knownUsers.exists(viewerId, loaders))) {
    throw badCredentials('The token names a user that does not exist');
  }
  const context = { viewerId, sql, loaders, eventBus: deps.eventBus } as Context;
  context.users = new UserService(context, deps.tokens);
  context.timelines = new TimelineService(context);
  context.events = new EventService(context);
  context.memberships = new MembershipService(context);
  context.viewers = new ViewerService(context);
  return context;
}

/**
 * Users are never deleted, so a user id once seen to exist is remembered (up to `capacity` ids) and the
 * check costs a statement only the first time a process sees that user.
 */
export class KnownUsers {
  private readonly ids = new Set<number>();

  constructor(private readonly capacity = 100_000) {}

  async exists(id: number, loaders: Loaders): Promise<boolean> {
    if (this.ids.has(id)) return true;
    if (!(await loaders.user.load(id))) return false;
    if (this.ids.size >= this.capacity) this.ids.clear();
    this.ids.add(id);
    return true;
  }

  remember(id: number): void {
    this.ids.add(id);
  }
}
