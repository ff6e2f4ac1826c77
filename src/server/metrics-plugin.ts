import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from './context';
import type { ServiceMetrics } from './metrics';

/**
 * Counts and times every GraphQL request Apollo answers over HTTP, by operation and outcome, and the codes
 * of its errors as the client sees them (formatted). A request refused before the pipeline runs (a malformed
 * HTTP request, a refused credential) counts as operation `other`. One closure per request and one look at
 * the response: a few microseconds.
 */
export function metricsPlugin(metrics: ServiceMetrics): ApolloServerPlugin<Context> {
  const refused = ({ error }: { error: Error }) => {
    // Apollo answers a context failure that is no GraphQLError as a masked internal error.
    metrics.refused((error as { extensions?: { code?: unknown } }).extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    return Promise.resolve();
  };
  return {
    invalidRequestWasReceived: refused,
    contextCreationDidFail: refused,
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, operation, operationName }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const label = metrics.operationLabel(operationName, operation !== undefined);
          const codes = errors ? errors.map((error) => error.extensions?.code) : [];
          metrics.request(label, operation?.operation ?? 'none', (performance.now() - started) / 1000, codes);
        },
      };
    },
  };
}
