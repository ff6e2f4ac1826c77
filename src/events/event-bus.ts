import pg from 'pg';
import { Mailbox } from './mailbox';

/** The one channel every server process listens on (SPEC section 6). */
export const EVENT_ADDED_CHANNEL = 'itimeline_event_added';
/** Sign-outs and password changes: the payload is the user id whose sessions were revoked (SPEC section 15). */
export const SESSIONS_REVOKED_CHANNEL = 'itimeline_sessions_revoked';
/** How the listening connection shows in `pg_stat_activity`. */
export const EVENT_BUS_APPLICATION_NAME = 'itimeline-event-bus';

/** What a notification carries: the event and the timelines it was newly listed on. */
export interface EventAdded {
  eventId: number;
  timelineIds: number[];
}

/** A payload as ingestion writes it (see `EventRepository.insertListed`): `{"e": eventId, "t": [timelineId, ...]}`. */
function decodeEventAdded(payload: string | undefined): EventAdded | undefined {
  try {
    const { e, t } = JSON.parse(payload ?? '') as { e: unknown; t: unknown };
    if (Number.isSafeInteger(e) && Array.isArray(t) && t.every(Number.isSafeInteger)) return { eventId: e as number, timelineIds: t as number[] };
  } catch {
    // Not ours: someone else wrote to the channel.
  }
  return undefined;
}

/** Told of revoked sessions, and of the LISTEN connection coming and going (notifications are missed meanwhile). */
export interface SessionsWatcher {
  sessionsRevoked(userId: number): void;
  listeningChanged(listening: boolean): void;
}

const MAX_RECONNECT_DELAY_MS = 10_000;

/**
 * `eventAdded` across processes: ingestion queues a PostgreSQL NOTIFY in its transaction (delivered only on
 * commit), and every process, this one included, hears it here on a dedicated connection and hands the
 * event id to its local subscribers of each timeline. The connection is re-opened after a failure;
 * notifications sent while it was down are lost (subscribers see live events, not a replay).
 */
export class EventBus {
  private readonly subscribers = new Map<number, Set<Mailbox<number>>>();
  private client?: pg.Client;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay = 100;
  /** Totals since start, for the metrics (read when scraped). */
  readonly stats = { notifications: 0, reconnects: 0, dropped: 0 };
  private readonly countDrop = () => void this.stats.dropped++;
  private sessionsWatcher?: SessionsWatcher;

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
    let count = 0;
    for (const mailboxes of this.subscribers.values()) count += mailboxes.size;
    return count;
  }

  /** Events heard and not yet taken by their subscriptions. */
  get queuedEvents(): number {
    let count = 0;
    for (const mailboxes of this.subscribers.values()) for (const mailbox of mailboxes) count += mailbox.queued;
    return count;
  }

  /** The ids of events newly listed on `timelineId`, as they are committed, until the iterator is closed. */
  subscribe(timelineId: number): AsyncIterableIterator<number> {
    const mailboxes = this.subscribers.get(timelineId) ?? new Set<Mailbox<number>>();
    this.subscribers.set(timelineId, mailboxes);
    const mailbox: Mailbox<number> = new Mailbox(
      () => {
        mailboxes.delete(mailbox);
        if (mailboxes.size === 0 && this.subscribers.get(timelineId) === mailboxes) this.subscribers.delete(timelineId);
      },
      undefined,
      this.countDrop,
    );
    mailboxes.add(mailbox);
    return mailbox;
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
    for (const mailboxes of this.subscribers.values()) for (const mailbox of [...mailboxes]) await mailbox.return();
    const client = this.client;
    this.client = undefined;
    this.sessionsWatcher?.listeningChanged(false);
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: EVENT_BUS_APPLICATION_NAME });
    client.on('notification', (message) => {
      this.stats.notifications++;
      if (message.channel === EVENT_ADDED_CHANNEL) this.dispatch(decodeEventAdded(message.payload));
      if (message.channel === SESSIONS_REVOKED_CHANNEL) this.sessionsRevoked(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`listen ${EVENT_ADDED_CHANNEL}`);
      await client.query(`listen ${SESSIONS_REVOKED_CHANNEL}`);
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

  private dispatch(added: EventAdded | undefined): void {
    if (!added) return;
    for (const timelineId of new Set(added.timelineIds)) {
      for (const mailbox of this.subscribers.get(timelineId) ?? []) mailbox.push(added.eventId);
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
