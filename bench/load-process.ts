import autocannon from 'autocannon';
import { serveParent } from './child';
import { answered, clientBody, clientHeaders } from './client-request';
import { OPERATION_NAMES, QUERIES, variablesFor, type Dataset, type ScenarioName } from './workload';

/**
 * The load driver, in a process of its own so that its CPU is not charged to the server it measures.
 * Each request is shaped as Apollo Client sends it (`client-request.ts`) and carries fresh variables; a
 * response that client would not take as data (another status or media type, GraphQL errors) counts as an error.
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

async function run(request: LoadRequest): Promise<LoadResult> {
  const next = variablesFor(request.scenario, request.dataset);
  const query = QUERIES[request.scenario];
  const operationName = OPERATION_NAMES[request.scenario];
  let failures = 0;
  let firstFailure: string | undefined;
  const result = await autocannon({
    url: request.url,
    connections: request.connections,
    duration: request.seconds,
    method: 'POST',
    headers: clientHeaders(request.token),
    requests: [
      {
        setupRequest: (req: any) => ({ ...req, body: clientBody(operationName, query, next()) }),
        onResponse: (status: number, body: string, _context: object, headers: Record<string, unknown> | undefined) => {
          if (answered(status, headers, body)) return;
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
