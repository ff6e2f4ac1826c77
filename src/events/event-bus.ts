import pg from 'pg';
import type { LiveResolver, ResolvedEvent } from './live-resolution';
import { Mailbox } from './mailbox';

/** The one channel every server process listens on (SPEC section 6). */
export const EVENT_ADDED_CHANNEL = 'itimeline_event_added';
/** `eventUpdated` and `eventRemoved` (SPEC section 11): same payload, their own channels. */
export const EVENT_UPDATED_CHANNEL = 'itimeline_event_updated';
export const EVENT_REMOVED_CHANNEL = 'itimeline_event_removed';
/** Sign-outs and password changes: the payload is the user id whose sessions were revoked (SPEC section 15). */
export const SESSIONS_REVOKED_CHANNEL = 'itimeline_sessions_revoked';
/** How the listening connection shows in `pg_stat_activity`. */
export const EVENT_BUS_APPLICATION_NAME = 'itimeline-event-bus';

/** What a notification carries: the event and the timelines it was newly listed on. */
export interface EventAdded {
  eventId: number;
  timelineIds: number[];
}

/** A change announced on `EVENT_UPDATED_CHANNEL` or `EVENT_REMOVED_CHANNEL`. */
export type EventChange = 'updated' | 'removed';

/**
 * What a subscriber of a change receives: the event, and its home timeline as it was (null: none), so that a
 * removal can be checked against the subscriber's visibility once the event itself is gone.
 */
export interface EventNotice {
  eventId: number;
  homeId: number | null;
}

/** Told of revoked sessions, and of the LISTEN connection coming and going (notifications are missed meanwhile). */
export interface SessionsWatcher {
  sessionsRevoked(userId: number): void;
  /** Back (true): may return when what was missed is re-checked, so that a revocation closes with its own code first. */
  listeningChanged(listening: boolean): Promise<void> | void;
}

/**
 * A payload as the writers send it (see `EventRepository.insertListed`, `ListingRepository`):
 * `{"e": eventId, "t": [timelineId, ...], "h": homeId}`, `h` optional.
 */
function decodeNotice(payload: string | undefined): (EventAdded & EventNotice) | undefined {
  try {
    const { e, t, h } = JSON.parse(payload ?? '') as { e: unknown; t: unknown; h?: unknown };
    const homeId = h ?? null;
    if (Number.isSafeInteger(e) && Array.isArray(t) && t.every(Number.isSafeInteger) && (homeId === null || Number.isSafeInteger(homeId))) {
      return { eventId: e as number, timelineIds: t as number[], homeId: homeId as number | null };
    }
  } catch {
    // Not ours: someone else wrote to the channel.
  }
  return undefined;
}

/** Who listens on a subscription, and how to close their connection (graphql-ws; absent in-process). */
export interface Listener {
  viewerId: number | null;
  close?(code: number, reason: string): void;
}

/**
 * graphql-ws close code for a connection one of whose subscriptions fell `SUBSCRIPTION_QUEUE_CAPACITY` events
 * behind (the client stopped reading): reconnect and refetch.
 */
export const SLOW_CONSUMER_CLOSE_CODE = 4008;
/**
 * graphql-ws close code for every subscription connection of a process whose LISTEN connection was lost and is
 * back: changes committed meanwhile were not delivered, so reconnect and refetch what is shown.
 */
export const MISSED_CHANGES_CLOSE_CODE = 4012;
/** Events a subscription may have waiting before its connection is closed with `SLOW_CONSUMER_CLOSE_CODE`. */
export const SUBSCRIPTION_QUEUE_CAPACITY = 1000;

/** The kinds of subscription, by the channel announcing them. */
export type LiveKind = 'added' | EventChange;
const KIND_OF_CHANNEL: Record<string, LiveKind> = { [EVENT_ADDED_CHANNEL]: 'added', [EVENT_UPDATED_CHANNEL]: 'updated', [EVENT_REMOVED_CHANNEL]: 'removed' };

interface Subscription {
  listener: Listener;
  mailbox: Mailbox<ResolvedEvent>;
}

/** Subscriptions by kind and timeline, each with its own bounded mailbox, removed when it closes. */
class Topics {
  private readonly subscriptions = new Map<string, Set<Subscription>>();

  constructor(
    private readonly capacity: number,
    /** Told when a subscription's queue overflowed. */
    private readonly onOverflow: () => void,
  ) {}

  subscribe(key: string, listener: Listener): Mailbox<ResolvedEvent> {
    const subscriptions = this.subscriptions.get(key) ?? new Set<Subscription>();
    this.subscriptions.set(key, subscriptions);
    const subscription: Subscription = {
      listener,
      mailbox: new Mailbox(
        () => {
          subscriptions.delete(subscription);
          if (subscriptions.size === 0 && this.subscriptions.get(key) === subscriptions) this.subscriptions.delete(key);
        },
        this.capacity,
        undefined,
        () => {
          this.onOverflow();
          listener.close?.(SLOW_CONSUMER_CLOSE_CODE, 'Slow consumer: too many undelivered events; reconnect and refetch');
        },
      ),
    };
    subscriptions.add(subscription);
    return subscription.mailbox;
  }

  /** The distinct viewers subscribed under any of `keys` (anonymous once); empty when nobody listens. */
  viewers(keys: readonly string[]): (number | null)[] {
    const viewers = new Set<number | null>();
    for (const key of keys) for (const { listener } of this.subscriptions.get(key) ?? []) viewers.add(listener.viewerId);
    return [...viewers];
  }

  publish(key: string, value: ResolvedEvent): void {
    for (const { mailbox } of this.subscriptions.get(key) ?? []) mailbox.push(value);
  }

  /** Every listener (each once per subscription). */
  *listeners(): Iterable<Listener> {
    for (const subscriptions of this.subscriptions.values()) for (const { listener } of subscriptions) yield listener;
  }

  /** No open subscription: a notification then concerns nobody here. */
  get empty(): boolean {
    return this.subscriptions.size === 0;
  }

  /** Open subscriptions. */
  get size(): number {
    let count = 0;
    for (const subscriptions of this.subscriptions.values()) count += subscriptions.size;
    return count;
  }

  /** Values published and not yet taken. */
  get queued(): number {
    let count = 0;
    for (const subscriptions of this.subscriptions.values()) for (const { mailbox } of subscriptions) count += mailbox.queued;
    return count;
  }

  async closeAll(): Promise<void> {
    for (const subscriptions of this.subscriptions.values()) for (const { mailbox } of [...subscriptions]) await mailbox.return();
  }
}

const MAX_RECONNECT_DELAY_MS = 10_000;

/**
 * `eventAdded`, `eventUpdated` and `eventRemoved` across processes: a write queues a PostgreSQL NOTIFY in its
 * transaction (delivered only on commit), and every process, this one included, hears it here on a dedicated
 * connection. Each event is resolved once for this process (`LiveResolver`: the event and its visibility for
 * the distinct viewers subscribed to its timelines) and handed to the subscribers of each timeline, in the order
 * the notifications arrived (commit order). The connection is re-opened after a failure; notifications sent
 * while it was down are lost, so every subscription's connection is then closed with `MISSED_CHANGES_CLOSE_CODE`.
 */
export class EventBus {
  /** Totals since start, for the metrics (read when scraped). */
  readonly stats = { notifications: 0, reconnects: 0, dropped: 0 };
  private readonly topics: Topics;
  private sessionsWatcher?: SessionsWatcher;
  private resolver?: LiveResolver;
  private client?: pg.Client;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay = 100;
  /** Settles once the sessions watcher has re-checked what a reconnection may have missed. */
  private caughtUp: Promise<void> = Promise.resolve();
  /** Deliveries publish one after the other, in the order their notifications arrived. */
  private published: Promise<void> = Promise.resolve();

  constructor(
    private readonly connectionString: string,
    private readonly logError: (error: unknown) => void,
    queueCapacity = SUBSCRIPTION_QUEUE_CAPACITY,
  ) {
    this.topics = new Topics(queueCapacity, () => void this.stats.dropped++);
  }

  /** Resolves once listening; the first connection must succeed. */
  async start(): Promise<void> {
    await this.listen();
  }

  /** Where events are resolved for subscribers: without one, nothing is delivered. */
  resolveWith(resolver: LiveResolver): void {
    this.resolver = resolver;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  get subscriptionCount(): number {
    return this.topics.size;
  }

  /** Events heard and not yet taken by their subscriptions. */
  get queuedEvents(): number {
    return this.topics.queued;
  }

  /**
   * The events added to, updated on, or removed from `timelineId`, as they are committed, resolved for this
   * process, until the iterator is closed.
   */
  subscribe(kind: LiveKind, timelineId: number, listener: Listener): AsyncIterableIterator<ResolvedEvent> {
    return this.topics.subscribe(`${kind}:${timelineId}`, listener);
  }

  /** `itimeline_sessions_revoked` goes to `watcher`, which is also told whenever LISTEN is lost or back. */
  watchSessions(watcher: SessionsWatcher): void {
    this.sessionsWatcher = watcher;
  }

  /** True while notifications arrive: while false, whatever they would invalidate cannot be trusted. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.topics.closeAll();
    const client = this.client;
    this.client = undefined;
    this.sessionsWatcher?.listeningChanged(false);
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: EVENT_BUS_APPLICATION_NAME });
    client.on('notification', (message) => {
      this.stats.notifications++;
      if (message.channel === SESSIONS_REVOKED_CHANNEL) this.sessionsRevoked(message.payload);
      // Every write notifies every process: one with no subscription does not even decode it.
      else if (!this.topics.empty) this.dispatch(message.channel, decodeNotice(message.payload));
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`listen ${EVENT_ADDED_CHANNEL}; listen ${EVENT_UPDATED_CHANNEL}; listen ${EVENT_REMOVED_CHANNEL}; listen ${SESSIONS_REVOKED_CHANNEL}`);
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) return void client.end().catch(() => undefined);
    this.client = client;
    this.reconnectDelay = 100;
    this.caughtUp = Promise.resolve(this.sessionsWatcher?.listeningChanged(true));
  }

  private sessionsRevoked(payload: string | undefined): void {
    const userId = Number(payload);
    if (Number.isSafeInteger(userId) && userId > 0) this.sessionsWatcher?.sessionsRevoked(userId);
  }

  /** Resolved at once (in parallel with earlier ones), published after every earlier notification. */
  private dispatch(channel: string, notice: (EventAdded & EventNotice) | undefined): void {
    const kind = KIND_OF_CHANNEL[channel];
    if (!notice || !kind || !this.resolver) return;
    const timelineIds = [...new Set(notice.timelineIds)];
    const keys = timelineIds.map((timelineId) => `${kind}:${timelineId}`);
    const viewers = this.topics.viewers(keys);
    if (viewers.length === 0) return;
    const resolved = this.resolver.resolve(notice.eventId, timelineIds, viewers, kind === 'removed' ? notice.homeId : undefined);
    resolved.catch(() => undefined);
    this.published = this.published.then(async () => {
      try {
        const event = await resolved;
        for (const key of keys) this.topics.publish(key, event);
      } catch (error) {
        this.logError(error);
      }
    });
  }

  private lost(client: pg.Client, error?: unknown): void {
    if (client !== this.client || this.stopped) return;
    if (error) this.logError(error);
    this.client = undefined;
    this.sessionsWatcher?.listeningChanged(false);
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.reconnectTimer = setTimeout(() => {
      this.listen().then(
        () => {
          this.stats.reconnects++;
          // Revoked sessions close with their own code (4401) first: those clients must sign in, not refetch.
          void this.caughtUp.then(() => this.tellMissed());
        },
        (error: unknown) => {
          this.logError(error);
          this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_DELAY_MS);
          this.scheduleReconnect();
        },
      );
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
  }

  /** LISTEN is back after a loss: every subscriber may have missed changes, and is told so by its connection closing. */
  private tellMissed(): void {
    for (const listener of [...this.topics.listeners()]) {
      listener.close?.(MISSED_CHANGES_CLOSE_CODE, 'Missed changes: live updates were interrupted; reconnect and refetch');
    }
  }
}
