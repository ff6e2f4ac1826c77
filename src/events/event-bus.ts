import pg from 'pg';
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
  listeningChanged(listening: boolean): void;
}

const CHANGE_OF_CHANNEL: Record<string, EventChange> = { [EVENT_UPDATED_CHANNEL]: 'updated', [EVENT_REMOVED_CHANNEL]: 'removed' };

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

/** Mailboxes by key: each subscriber's own, removed when it closes. */
class Topics<K, T> {
  private readonly mailboxes = new Map<K, Set<Mailbox<T>>>();

  /** `onDrop`: told of each value a full mailbox dropped. */
  constructor(private readonly onDrop: () => void) {}

  subscribe(key: K): Mailbox<T> {
    const mailboxes = this.mailboxes.get(key) ?? new Set<Mailbox<T>>();
    this.mailboxes.set(key, mailboxes);
    const mailbox: Mailbox<T> = new Mailbox(
      () => {
        mailboxes.delete(mailbox);
        if (mailboxes.size === 0 && this.mailboxes.get(key) === mailboxes) this.mailboxes.delete(key);
      },
      undefined,
      this.onDrop,
    );
    mailboxes.add(mailbox);
    return mailbox;
  }

  publish(key: K, value: T): void {
    for (const mailbox of this.mailboxes.get(key) ?? []) mailbox.push(value);
  }

  /** Open subscriptions. */
  get size(): number {
    let count = 0;
    for (const mailboxes of this.mailboxes.values()) count += mailboxes.size;
    return count;
  }

  /** Values published and not yet taken. */
  get queued(): number {
    let count = 0;
    for (const mailboxes of this.mailboxes.values()) for (const mailbox of mailboxes) count += mailbox.queued;
    return count;
  }

  async closeAll(): Promise<void> {
    for (const mailboxes of this.mailboxes.values()) for (const mailbox of [...mailboxes]) await mailbox.return();
  }
}

const MAX_RECONNECT_DELAY_MS = 10_000;

/**
 * `eventAdded`, `eventUpdated` and `eventRemoved` across processes: a write queues a PostgreSQL NOTIFY in its
 * transaction (delivered only on commit), and every process, this one included, hears it here on a dedicated
 * connection and hands the event to its local subscribers of each timeline. The connection is re-opened after a failure;
 * notifications sent while it was down are lost (subscribers see live events, not a replay).
 */
export class EventBus {
  /** Totals since start, for the metrics (read when scraped). */
  readonly stats = { notifications: 0, reconnects: 0, dropped: 0 };
  private readonly countDrop = () => void this.stats.dropped++;
  private readonly added = new Topics<number, number>(this.countDrop);
  private readonly changes = new Topics<string, EventNotice>(this.countDrop);
  private sessionsWatcher?: SessionsWatcher;
  private client?: pg.Client;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay = 100;

  constructor(
    private readonly connectionString: string,
    private readonly logError: (error: unknown) => void,
  ) {}

  /** Resolves once listening; the first connection must succeed. */
  async start(): Promise<void> {
    await this.listen();
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  get subscriptionCount(): number {
    return this.added.size + this.changes.size;
  }

  /** Events heard and not yet taken by their subscriptions. */
  get queuedEvents(): number {
    return this.added.queued + this.changes.queued;
  }

  /** The ids of events newly listed on `timelineId`, as they are committed, until the iterator is closed. */
  subscribe(timelineId: number): AsyncIterableIterator<number> {
    return this.added.subscribe(timelineId);
  }

  /** The events updated on, or removed from, `timelineId`, as they are committed, until the iterator is closed. */
  subscribeChanges(change: EventChange, timelineId: number): AsyncIterableIterator<EventNotice> {
    return this.changes.subscribe(`${change}:${timelineId}`);
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
    await this.added.closeAll();
    await this.changes.closeAll();
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
      else this.dispatch(message.channel, decodeNotice(message.payload));
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
    this.sessionsWatcher?.listeningChanged(true);
  }

  private sessionsRevoked(payload: string | undefined): void {
    const userId = Number(payload);
    if (Number.isSafeInteger(userId) && userId > 0) this.sessionsWatcher?.sessionsRevoked(userId);
  }

  private dispatch(channel: string, notice: (EventAdded & EventNotice) | undefined): void {
    if (!notice) return;
    const change = CHANGE_OF_CHANNEL[channel];
    for (const timelineId of new Set(notice.timelineIds)) {
      if (channel === EVENT_ADDED_CHANNEL) this.added.publish(timelineId, notice.eventId);
      else if (change) this.changes.publish(`${change}:${timelineId}`, { eventId: notice.eventId, homeId: notice.homeId });
    }
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
        () => void this.stats.reconnects++,
        (error: unknown) => {
          this.logError(error);
          this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_DELAY_MS);
          this.scheduleReconnect();
        },
      );
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
  }
}
