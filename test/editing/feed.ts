import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export const EVENT_UPDATED = `subscription($id: ID!) { eventUpdated(timelineId: $id) { id title tags eventDate } }`;
export const EVENT_REMOVED = `subscription($id: ID!) { eventRemoved(timelineId: $id) { eventId timelineId } }`;
export const EVENT_ADDED_TITLES = `subscription($id: ID!) { eventAdded(timelineId: $id) { id title } }`;

/** A graphql-ws subscription to one of the event subscriptions, recording each delivered payload of its root field. */
export class Feed<T = Record<string, any>> {
  readonly received: T[] = [];
  readonly errors: { message: string; extensions?: { code?: string } }[] = [];
  private readonly client: Client;
  private waiters: (() => void)[] = [];
  completed = false;

  constructor(httpUrl: string, query: string, timelineId: string, token?: string) {
    this.client = createClient({
      url: httpUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
    });
    this.client.subscribe<Record<string, T>>(
      { query, variables: { id: timelineId } },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...(result.errors as Feed['errors']));
          if (result.data) this.received.push(...Object.values(result.data));
          this.wake();
        },
        error: (error) => {
          this.errors.push(...(Array.isArray(error) ? error : [{ message: String(error) }]));
          this.completed = true;
          this.wake();
        },
        complete: () => {
          this.completed = true;
          this.wake();
        },
      },
    );
  }

  /** Resolves with the first payload `match` accepts (undefined if the subscription ends first). */
  async waitFor(match: (payload: T) => boolean): Promise<T | undefined> {
    for (;;) {
      const found = this.received.find(match);
      if (found || this.completed) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Waits until the server delivers to this feed: graphql-ws does not acknowledge a subscription, so `probe(i)`
   * makes something to deliver until `isProbe` accepts an arrival.
   */
  async live(probe: (i: number) => Promise<unknown>, isProbe: (payload: T) => boolean): Promise<void> {
    for (let i = 0; ; i++) {
      await probe(i);
      await Promise.race([this.waitFor(isProbe), new Promise((resolve) => setTimeout(resolve, 250))]);
      if (this.received.some(isProbe)) return;
      if (this.completed) throw new Error(`Subscription ended: ${JSON.stringify(this.errors)}`);
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
