import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { MikroORM } from '@mikro-orm/postgresql';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorCode } from '../common/errors';
import type { MetricsSettings } from '../config';
import type { EventBus } from '../events/event-bus';

const API_CODES: readonly ErrorCode[] = ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'NAME_TAKEN', 'INTERNAL_SERVER_ERROR'];
/** The `extensions.code` values a label may carry: the API's and Apollo's; anything else is `other`. */
const KNOWN_CODES = new Set<string>([...API_CODES, ...Object.values(ApolloServerErrorCode)]);
/** A GraphQL name, short enough for a label. */
const LABEL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/** Seconds: a lookup is a few milliseconds, a slow operation (SLOW_OPERATION_MS) a second. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type OperationKind = 'query' | 'mutation' | 'subscription' | 'none';
type Outcome = 'ok' | 'error';

interface PoolLike {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  max: number;
}

/**
 * The service's Prometheus metrics, on a registry of their own (two apps in one process do not collide).
 * Every label is bounded: operation names are those of documents that validated, the first `maxOperations`
 * of them (then `other`; anonymous operations are `anonymous`), error codes come from a fixed list (else
 * `other`), so no client can grow the set of series without bound. Pool, subscription and event-bus figures
 * are read when scraped, costing requests nothing.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();
  private readonly requests: Counter<'operation' | 'kind' | 'outcome'>;
  private readonly duration: Histogram<'operation' | 'kind'>;
  private readonly errors: Counter<'operation' | 'code'>;
  private readonly deliveries: Counter;

  constructor(
    private readonly settings: MetricsSettings,
    orm: MikroORM,
    eventBus: EventBus,
    webSocketClients: () => number,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'itimeline_graphql_requests_total',
      help: 'GraphQL requests over HTTP, by operation name, operation kind and outcome (error: the response carries errors)',
      labelNames: ['operation', 'kind', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'itimeline_graphql_request_duration_seconds',
      help: 'Time from the request reaching Apollo to its response, by operation name and kind',
      labelNames: ['operation', 'kind'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.errors = new Counter({
      name: 'itimeline_graphql_errors_total',
      help: 'Errors in GraphQL responses, by operation name and extensions.code',
      labelNames: ['operation', 'code'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'itimeline_subscription_deliveries_total',
      help: 'Subscription events sent to WebSocket clients',
      registers,
    });
    const pool = () => (orm.em.getDriver().getConnection('write').getKnex().client as { pool?: PoolLike }).pool;
    new Gauge({
      name: 'itimeline_db_pool_connections',
      help: 'Connections of the ORM pool (the primary), by state: used (checked out), free (idle), pending (acquires waiting for one)',
      labelNames: ['state'],
      registers,
      collect() {
        const current = pool();
        this.set({ state: 'used' }, current?.numUsed() ?? 0);
        this.set({ state: 'free' }, current?.numFree() ?? 0);
        this.set({ state: 'pending' }, current?.numPendingAcquires() ?? 0);
      },
    });
    new Gauge({
      name: 'itimeline_db_pool_max_connections',
      help: 'Size of the ORM pool',
      registers,
      collect() {
        this.set(pool()?.max ?? 0);
      },
    });
    gaugeOf('itimeline_websocket_connections', 'Open WebSocket connections', webSocketClients, registers);
    gaugeOf('itimeline_subscriptions', 'Open eventAdded subscriptions on this process', () => eventBus.subscriptionCount, registers);
    gaugeOf(
      'itimeline_subscription_queued_events',
      'Events received and not yet taken by their subscriptions: how far behind this process delivers',
      () => eventBus.queuedEvents,
      registers,
    );
    gaugeOf('itimeline_event_bus_connected', '1 while the LISTEN connection is up', () => (eventBus.connected ? 1 : 0), registers);
    counterOf('itimeline_event_bus_notifications_total', 'Notifications heard on the event channel', () => eventBus.stats.notifications, registers);
    counterOf('itimeline_event_bus_reconnects_total', 'Times the LISTEN connection was re-opened after a loss', () => eventBus.stats.reconnects, registers);
    counterOf(
      'itimeline_subscription_dropped_events_total',
      'Events a subscription had no room for: its connection was closed as a slow consumer',
      () => eventBus.stats.dropped,
      registers,
    );
  }

  /** The label of an operation: its name when the document validated and the name is one of the first `maxOperations`. */
  operationLabel(name: string | null | undefined, validated: boolean): string {
    if (!validated) return 'other';
    if (!name) return 'anonymous';
    if (this.operations.has(name)) return name;
    if (this.operations.size >= this.settings.maxOperations || !LABEL_NAME.test(name)) return 'other';
    this.operations.add(name);
    return name;
  }

  request(operation: string, kind: OperationKind, seconds: number, codes: readonly unknown[]): void {
    const outcome: Outcome = codes.length > 0 ? 'error' : 'ok';
    this.requests.inc({ operation, kind, outcome });
    this.duration.observe({ operation, kind }, seconds);
    for (const code of codes) this.error(operation, code);
  }

  /** A request refused before Apollo's pipeline ran (a bad token, a malformed HTTP request). */
  refused(code: unknown): void {
    this.requests.inc({ operation: 'other', kind: 'none', outcome: 'error' });
    this.error('other', code);
  }

  delivered(): void {
    this.deliveries.inc();
  }

  private error(operation: string, code: unknown): void {
    this.errors.inc({ operation, code: typeof code === 'string' && KNOWN_CODES.has(code) ? code : 'other' });
  }
}

function gaugeOf(name: string, help: string, read: () => number, registers: Registry[]): void {
  new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}

/** A counter whose total is kept elsewhere (the event bus counts for itself), copied in when scraped. */
function counterOf(name: string, help: string, read: () => number, registers: Registry[]): void {
  new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}
