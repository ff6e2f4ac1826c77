import type { EntityManager } from '@mikro-orm/postgresql';
import type { PreparedStatements } from '../db/prepared';
import type { StatementCounter } from '../db/statement-counter';
import type { EventBus } from '../events/event-bus';
import type { Loaders } from '../server/loaders';

/** One operation's scope, HTTP or WebSocket: who asks, its EntityManager fork, its loaders. */
export interface Scope {
  /** Null for an anonymous caller. */
  viewerId: number | null;
  /** The session (`jti`) of the caller's token; null for an anonymous caller. */
  sessionId: string | null;
  /** The client's network address (`TRUST_PROXY_HOPS` deep in `X-Forwarded-For`); undefined in-process. */
  clientAddress?: string;
  /** This operation's own fork: the global EntityManager is never used by a request. */
  em: EntityManager;
  /** Hot statements, prepared, on `em`'s connection and transaction. */
  db: PreparedStatements;
  statements: StatementCounter;
  /** Replaced for each delivery of a subscription with the ones its event was resolved into for this viewer. */
  loaders: Loaders;
  /** Where `eventAdded` subscriptions listen; absent when the app runs without one. */
  eventBus?: EventBus;
  /** Over a WebSocket: closes the operation's connection (a subscription that fell behind or missed changes). */
  closeConnection?: (code: number, reason: string) => void;
}
