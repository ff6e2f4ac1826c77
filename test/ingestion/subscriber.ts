import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export const EVENT_ADDED = `subscription($id: ID!) { eventAdded(timelineId: $id) { id title tags timeline { id } createdBy { id } } }`;

export interface Delivered {
  id: string;
  title: string;
  tags: string[];
  timeline: { id: string } | null;
}

/** A graphql-ws client on `/graphql` subscribed to `eventAdded(timelineId)`, recording what arrives. */
export class Subscriber {
  readonly received: Delivered[] = [];
  readonly errors: { message: string; extensions?: { code?: string } }[] = [];
  private readonly client: Client;
  private readonly unsubscribe: () => void;
  private waiters: (() => void)[] = [];
  completed = false;

  /** `query`: a subscription to `eventAdded(timelineId: $id)` selecting at least `id` and `title`. */
  constructor(httpUrl: string, timelineId: string, token?: string, query = EVENT_ADDED) {
    this.client = createClient({
      url: httpUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
    });
    this.unsubscribe = this.client.subscribe<{ eventAdded: Delivered }>(
      { query, variables: { id: timelineId } },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...(result.errors as Subscriber['errors']));
          if (result.data) this.received.push(result.data.eventAdded);
          this.wake();
        },
        error: (error) => {
          const closed = (error as { code?: number }).code;
          this.errors.push(...(Array.isArray(error) ? error : [{ message: closed ? `closed with ${closed}` : String(error) }]));
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

  /** Resolves once an event titled `title` has arrived (or the subscription ended). */
  async waitFor(title: string): Promise<Delivered | undefined> {
    for (;;) {
      const found = this.received.find((event) => event.title === title);
      if (found || this.completed) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Resolves once the subscription has ended (an error at subscribe, or completion). */
  async ended(): Promise<void> {
    while (!this.completed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /**
   * Waits until the server is delivering to this subscriber: graphql-ws does not acknowledge a
   * subscription, so `probe(i)` publishes an event (titled `probe i`) until one arrives.
   */
  async live(probe: (i: number) => Promise<unknown>): Promise<void> {
    const start = this.received.length;
    for (let i = 0; ; i++) {
      await probe(i);
      await Promise.race([this.waitFor(`probe ${i}`), new Promise((resolve) => setTimeout(resolve, 250))]);
      if (this.received.slice(start).some((event) => event.title.startsWith('probe '))) return;
      if (this.completed) throw new Error(`Subscription ended: ${JSON.stringify(this.errors)}`);
    }
  }

  titles(): string[] {
    return this.received.map((event) => event.title).filter((title) => !title.startsWith('probe '));
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.client.dispose();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
