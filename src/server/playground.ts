import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Router, type Request, type RequestHandler } from 'express';

/** Where the page's assets are served; everything comes from installed packages, nothing from a CDN. */
const ASSET_PATH = '/playground';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const DEFAULT_QUERY = `# Sign in with the signIn mutation, then add {"Authorization": "Bearer <token>"} under Headers.
# Subscriptions run here too: subscription { eventAdded(timelineId: "1") { id title } }
query Hashtags {
  timelines(type: HASHTAG, first: 10) {
    edges { node { formattedName events(first: 3) { edges { node { title eventDate } } } } }
  }
}
`;

/**
 * Started by the page once GraphiQL (a UMD bundle), React and graphql-ws are loaded; a file, so the CSP needs no
 * inline script. Queries and mutations go over HTTP; subscriptions over graphql-ws on the same path, one socket per
 * Authorization header typed under Headers (sent as the connection's `authorization` parameter).
 */
const START_SCRIPT = `'use strict';
(function () {
  var http = GraphiQL.createFetcher({ url: location.pathname });
  var socketUrl = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + location.pathname;
  var sockets = {};

  function authorization(headers) {
    var found = '';
    Object.keys(headers || {}).forEach(function (name) {
      if (name.toLowerCase() === 'authorization') found = String(headers[name]);
    });
    return found;
  }

  function socketFor(headers) {
    var auth = authorization(headers);
    if (!sockets[auth]) {
      sockets[auth] = graphqlWs.createClient({ url: socketUrl, lazy: true, connectionParams: auth ? { authorization: auth } : {} });
    }
    return sockets[auth];
  }

  function isSubscription(document, operationName) {
    var operations = ((document && document.definitions) || []).filter(function (definition) {
      return definition.kind === 'OperationDefinition';
    });
    var chosen = operations.length === 1 ? operations[0] : operations.filter(function (operation) {
      return operation.name && operation.name.value === operationName;
    })[0];
    return Boolean(chosen && chosen.operation === 'subscription');
  }

  function fetcher(params, options) {
    if (isSubscription(options && options.documentAST, params.operationName)) {
      return socketFor(options && options.headers).iterate(params);
    }
    return http(params, options);
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: ${JSON.stringify(DEFAULT_QUERY)} }));
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>iTimeline API · GraphiQL</title>
  <link rel="stylesheet" href="${ASSET_PATH}/graphiql.min.css">
  <link rel="stylesheet" href="${ASSET_PATH}/page.css">
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="${ASSET_PATH}/react.production.min.js"></script>
  <script src="${ASSET_PATH}/react-dom.production.min.js"></script>
  <script src="${ASSET_PATH}/graphiql.min.js"></script>
  <script src="${ASSET_PATH}/graphql-ws.min.js"></script>
  <script src="${ASSET_PATH}/start.js"></script>
</body>
</html>
`;

/** GraphiQL and its styles inject inline styles; scripts and connections stay on this origin. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The GraphiQL playground: `GET /graphql` from a browser (one that prefers HTML) gets the page, everything
 * else passes on to the GraphQL endpoint. Assets are read once from the installed `graphiql`, `react`,
 * `react-dom` and `graphql-ws` packages (their UMD builds), so the page works with no internet access.
 */
export class Playground {
  private readonly assets: Map<string, Asset>;

  constructor() {
    this.assets = new Map([
      ['graphiql.min.js', packageFile('graphiql', 'graphiql.min.js')],
      ['graphiql.min.css', packageFile('graphiql', 'graphiql.min.css')],
      ['react.production.min.js', packageFile('react', 'umd/react.production.min.js')],
      ['react-dom.production.min.js', packageFile('react-dom', 'umd/react-dom.production.min.js')],
      ['graphql-ws.min.js', packageFile('graphql-ws', 'umd/graphql-ws.min.js')],
      ['start.js', asset(Buffer.from(START_SCRIPT), 'start.js')],
      ['page.css', asset(Buffer.from('html, body, #graphiql { height: 100%; margin: 0; }\n'), 'page.css')],
    ]);
  }

  /** Mount before the GraphQL middleware, on the GraphQL path. */
  page(): RequestHandler {
    return (req, res, next) => {
      if (req.method !== 'GET' || !prefersHtml(req)) return next();
      res.set({ 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-cache' });
      res.send(PAGE);
    };
  }

  /** Mount at the root. */
  assetRouter(): Router {
    const router = Router();
    router.get(`${ASSET_PATH}/:name`, (req, res) => {
      const found = this.assets.get(req.params.name);
      if (!found) {
        res.status(404).end();
        return;
      }
      res.set({ 'content-type': found.type, etag: found.etag, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' });
      if (req.headers['if-none-match'] === found.etag) res.status(304).end();
      else res.send(found.body);
    });
    return router;
  }
}

/** A browser navigating (HTML before JSON); API clients asking for JSON or anything (`*\/*`) get GraphQL. */
function prefersHtml(req: Request): boolean {
  return req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

function packageFile(name: string, file: string): Asset {
  const root = dirname(require.resolve(`${name}/package.json`));
  return asset(readFileSync(join(root, file)), file);
}

function asset(body: Buffer, file: string): Asset {
  const type = file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
  return { body, type, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}
