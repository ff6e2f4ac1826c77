import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLResponse } from '@apollo/server';
import type { Context } from './context';
import { failRequest, refuseRequest } from './http-errors';
import { assignRequestId, type Logger } from './logger';
import { BodyRefused, readJsonBody } from './request-body';

export interface NodeMountOptions {
  apollo: ApolloServer<Context>;
  logger: Logger;
  maxBodyBytes: number;
  /** True when `GET /graphql` from a browser gets the playground page (served by `elsewhere`). */
  playground: boolean;
  createContext(req: IncomingMessage): Promise<Context>;
}

/** The paths express's `app.use('/graphql', …)` answered: `/graphql` and below it, in any case. */
const GRAPHQL_PATH = /^\/graphql(\/|\?|$)/i;

/**
 * `/graphql` straight on `node:http`, as `@apollo/server/standalone` mounts it but without express and
 * body-parser in the way: the request id, the body (read here, see `readJsonBody`), then Apollo's
 * `executeHTTPGraphQLRequest` for everything else (CSRF prevention, GET and POST, parsing, validation,
 * plugins, execution, error formatting and statuses), and Apollo's response written back as it comes.
 */
export class NodeMount {
  constructor(private readonly options: NodeMountOptions) {}

  /** Answers GraphQL requests; hands anything else (health, assets, the playground page) to `elsewhere`. */
  handle(req: IncomingMessage, res: ServerResponse, elsewhere: (req: IncomingMessage, res: ServerResponse) => void): void {
    if (!GRAPHQL_PATH.test(req.url ?? '') || this.mayWantPage(req)) {
      elsewhere(req, res);
      return;
    }
    this.answer(req, res).catch((error: unknown) => failRequest(this.options.logger, req, res, error));
  }

  /** A browser's `GET` (it accepts HTML): express decides between the page and GraphQL, as it always has. */
  private mayWantPage(req: IncomingMessage): boolean {
    return this.options.playground && req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    assignRequestId(req, res);
    let body: unknown;
    try {
      body = await readJsonBody(req, this.options.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyRefused)) throw error;
      refuseRequest(this.options.logger, req, res, error.status, error.message, error.type);
      return;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const response = await this.options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search: query === -1 ? '' : url.slice(query), body },
      context: () => this.options.createContext(req),
    });
    await send(res, response);
  }
}

async function send(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.setHeader('content-length', Buffer.byteLength(response.body.string));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
