import autocannon from 'autocannon';
import { serveParent } from './child';
import { QUERIES, variablesFor, type Dataset, type ScenarioName } from './workload';

/**
 * The load driver, in a process of its own so that its CPU is not charged to the server it measures.
 * Each request carries fresh variables; a response with GraphQL errors (or no data) counts as an error.
 */
export interface LoadRequest {
  url: string;
  scenario: ScenarioName;
  dataset: Dataset;
  connections: number;
  seconds: number;
  token?: string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const OPERATION_NAMES: Record<ScenarioName, string> = { lookup: 'Lookup', page: 'Page', ingest: 'Ingest' };

async function run(request: LoadRequest): Promise<LoadResult> {
  const next = variablesFor(request.scenario, request.dataset);
  const query = QUERIES[request.scenario];
  const operationName = OPERATION_NAMES[request.scenario];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  let failures = 0;
  let firstFailure: string | undefined;
  const result = await autocannon({
    url: request.url,
    connections: request.connections,
    duration: request.seconds,
    method: 'POST',
    headers,
    requests: [
      {
        setupRequest: (req: any) => ({ ...req, body: JSON.stringify({ operationName, query, variables: next() }) }),
        onResponse: (status: number, body: string) => {
          if (status === 200 && body.startsWith('{"data":{') && !body.includes('"errors":')) return;
          failures++;
          firstFailure ??= `${status} ${body.slice(0, 300)}`;
        },
      },
    ],
  });
  if (firstFailure) console.error(`load: ${request.scenario} failed ${failures}x, first: ${firstFailure}`);
  const requests = result.requests.total;
  return {
    requests,
    seconds: result.duration,
    requestsPerSecond: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    // `errors` counts connection errors and timeouts; bad statuses and GraphQL errors are `failures`.
    errors: failures + result.errors,
  };
}

serveParent(async (message) => {
  if (message.type === 'ready') return true;
  if (message.type === 'run') return run(message.request as LoadRequest);
  throw new Error(`unknown message ${String(message.type)}`);
});
