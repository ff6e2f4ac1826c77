/**
 * What the load driver sends: one GraphQL operation per scenario, and the variables each request draws.
 * The same shapes drive the service and the floor (which reads `variables` and ignores the query text),
 * so both answer the same questions about the same rows.
 *
 * `typename` (`--only=typename`, not in the default run) is the request path alone: a signed-in `{ __typename }`
 * that reads nothing, so its CPU is what every request costs before its first statement.
 */
export type ScenarioName = 'lookup' | 'page' | 'ingest' | 'retag' | 'typename' | WindowScenario;

/** The timeline window queries of SPEC section 11, read from one timeline of `windowListings` listings. */
export type WindowScenario = 'window' | 'count' | 'histogram';
export const WINDOW_SCENARIOS: readonly WindowScenario[] = ['window', 'count', 'histogram'];

export interface Dataset {
  label: string;
  timelines: number;
  events: number;
  /** Timelines 1..hot are public hashtags carrying most listings: pages are read from them. */
  hot: number;
  /** Window scenarios: the seeded timeline (`seedWindows`) whose windows are read. */
  windowTimeline?: number;
}

export const QUERIES: Record<ScenarioName, string> = {
  lookup: 'query Lookup($name: String!) { timelineByName(formattedName: $name) { id name formattedName type createdAt } }',
  page: `query Page($id: ID!) { timeline(id: $id) { id name events(first: 20) {
    edges { cursor node { id title eventDate tags } } pageInfo { hasNextPage endCursor } } } }`,
  ingest: 'mutation Ingest($input: CreateEventInput!) { createEvent(input: $input) { id } }',
  typename: 'query Typename { __typename }',
  retag: 'mutation Retag($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id tags } }',
  window: `query Window($id: ID!, $from: DateTime!, $to: DateTime!) { timeline(id: $id) { events(first: 20, from: $from, to: $to) {
    edges { cursor node { id title eventDate } } pageInfo { hasNextPage endCursor } } } }`,
  count: 'query Count($id: ID!, $from: DateTime!, $to: DateTime!) { timeline(id: $id) { eventCount(from: $from, to: $to) } }',
  histogram: `query Histogram($id: ID!, $bucket: HistogramBucket!, $from: DateTime!, $to: DateTime!) {
    timeline(id: $id) { eventHistogram(bucket: $bucket, from: $from, to: $to) { start count } } }`,
};

/** The operation name each scenario's query declares: the floor dispatches on it. */
export const OPERATION_NAMES: Record<ScenarioName, string> = {
  lookup: 'Lookup',
  page: 'Page',
  ingest: 'Ingest',
  typename: 'Typename',
  retag: 'Retag',
  window: 'Window',
  count: 'Count',
  histogram: 'Histogram',
};

/** Window timelines' events are spread evenly over these 30 years (`seedWindows`). */
export const WINDOW_EPOCH = Date.UTC(1996, 0, 1);
export const WINDOW_SPAN_MS = 30 * 365 * 86_400_000;

/**
 * A window anywhere in the seeded span, between two uniform instants (a third of the timeline on average,
 * all of it at worst), and the narrowest bucket that covers it in at most 1,000 bins.
 */
export function randomWindow(random = Math.random) {
  const [a, b] = [random(), random()].sort((x, y) => x - y);
  const from = new Date(WINDOW_EPOCH + Math.floor(a * WINDOW_SPAN_MS));
  const to = new Date(WINDOW_EPOCH + Math.ceil(b * WINDOW_SPAN_MS) + 1000);
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  const bucket = days < 999 ? 'DAY' : days < 999 * 7 ? 'WEEK' : 'MONTH';
  return { from: from.toISOString(), to: to.toISOString(), bucket };
}

export const NESTED_QUERY = `query Nested($first: Int!) { timelines(first: $first) { edges { node {
  events(first: 10) { edges { node { timelines { id } } } } } } } }`;

/** The nested query with the window fields of SPEC section 11 on every timeline: its statements must not grow either. */
export const NESTED_WINDOW_QUERY = `query NestedWindow($first: Int!, $from: DateTime!, $to: DateTime!) { timelines(first: $first) { edges { node {
  events(first: 10, from: $from, to: $to) { edges { node { id } } } eventCount(from: $from, to: $to)
  eventHistogram(bucket: MONTH, from: $from, to: $to) { start count } } } } }`;

/** Seeded users; event `i` is created by user `1 + i % BENCH_USERS` (see `seed.ts`). */
export const BENCH_USERS = 100;

/** Ingestion draws tags from this many existing hashtag names (`Tag1`…), Zipf-distributed. */
export const TAG_NAMES = 10_000;
export const NEW_TAG_SHARE = 0.1;
export const TAGS_PER_EVENT = 3;

/**
 * The seeded type of timeline `i` (see `seed.ts`): the hot ones and the ingestion tags are hashtags, the
 * rest mixes in communities and personal timelines so that lookups pass over all three kinds of row.
 */
export function seededType(i: number, dataset: Pick<Dataset, 'hot'>): 'hashtag' | 'community' | 'personal' {
  if (i <= Math.max(dataset.hot, TAG_NAMES)) return 'hashtag';
  if (i % 10 === 0) return 'community';
  if (i % 10 === 5) return 'personal';
  return 'hashtag';
}

/** A public formatted name of a random seeded timeline, anywhere in the table. */
export function randomLookupName(dataset: Dataset, random = Math.random): string {
  let i = 1 + Math.floor(random() * dataset.timelines);
  if (seededType(i, dataset) === 'personal') i -= 1;
  return seededType(i, dataset) === 'community' ? `i-Tag${i}` : `#Tag${i}`;
}

export function randomHotId(dataset: Dataset, random = Math.random): string {
  return String(1 + Math.floor(random() * dataset.hot));
}

/** Samples ranks 1..n with probability ∝ 1/rank (Zipf, s = 1). */
export function zipfSampler(n: number, random = Math.random): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 1; rank <= n; rank++) cumulative[rank - 1] = total += 1 / rank;
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] < target) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  };
}

/**
 * Three distinct tags: mostly hot existing names, one in ten brand new (unique to this process). The
 * hottest tag is `Tag10000` and the coldest `Tag1`: the timelines whose pages the read scenarios ask for
 * (1..hot) are then among the least tagged, so that what ingestion writes between rounds does not change
 * the pages the 1k/1M comparison reads.
 */
export function ingestTagPicker(random = Math.random): () => string[] {
  const zipf = zipfSampler(TAG_NAMES, random);
  const tagNumber = () => TAG_NAMES + 1 - zipf();
  let fresh = 0;
  const prefix = `New${process.pid}x${Date.now().toString(36)}x`;
  return () => {
    const tags = new Set<string>();
    while (tags.size < TAGS_PER_EVENT) tags.add(random() < NEW_TAG_SHARE ? `${prefix}${++fresh}` : `Tag${tagNumber()}`);
    return [...tags];
  };
}

/** A random seeded event created by user 1, whom the benchmark signs in as: the only ones it may edit. */
export function randomOwnEventId(dataset: Dataset, random = Math.random): string {
  return String(BENCH_USERS * (1 + Math.floor(random() * Math.floor(dataset.events / BENCH_USERS))));
}

/** The variables of the next request of a scenario. */
export function variablesFor(scenario: ScenarioName, dataset: Dataset): () => Record<string, unknown> {
  switch (scenario) {
    case 'typename':
      return () => ({});
    case 'lookup':
      return () => ({ name: randomLookupName(dataset) });
    case 'page':
      return () => ({ id: randomHotId(dataset) });
    case 'ingest': {
      const tags = ingestTagPicker();
      let n = 0;
      return () => ({ input: { title: `Bench event ${process.pid}-${++n}`, tags: tags() } });
    }
    case 'retag': {
      const tags = ingestTagPicker();
      return () => ({ id: randomOwnEventId(dataset), input: { tags: tags() } });
    }
    case 'window':
    case 'count':
      return () => {
        const { from, to } = randomWindow();
        return { id: String(dataset.windowTimeline), from, to };
      };
    case 'histogram':
      return () => ({ id: String(dataset.windowTimeline), ...randomWindow() });
  }
}
