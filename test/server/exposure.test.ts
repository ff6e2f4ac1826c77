import { describe, expect, it } from 'vitest';
import { rawRequest, useTestServer, wsOperation } from './support';

const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPO = '{ viewr { id } }';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('outside production', () => {
  const server = useTestServer({ config: { production: false } });

  it('answers introspection and suggests field names', async () => {
    expect((await server.request(INTROSPECTION)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect((await server.request(TYPO)).errors?.[0].message).toMatch(/Did you mean "viewer"\?/);
  });

  it('serves the GraphiQL page to browsers, with its assets from the installed packages', async () => {
    const page = await rawRequest(server.url, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]);
    expect(scripts).toHaveLength(5);
    for (const src of scripts) {
      expect(src.startsWith('/')).toBe(true);
      const asset = await rawRequest(new URL(src, server.url).toString(), {});
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
    }
    expect(page.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('answers API clients on the same URL with GraphQL, not the page', async () => {
    const query = encodeURIComponent('{ __typename }');
    const response = await rawRequest(`${server.url}?query=${query}`, { headers: { accept: '*/*', 'apollo-require-preflight': 'true' } });
    expect(response.json).toMatchObject({ data: { __typename: 'Query' } });
  });
});

describe('in production', () => {
  const server = useTestServer({ config: { production: true } });

  it('refuses introspection over HTTP and WebSocket', async () => {
    const http = await server.request(INTROSPECTION);
    expect(http.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(http.errors?.[0].message).toMatch(/introspection/i);
    const ws = await wsOperation(server.url, INTROSPECTION);
    expect(ws.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(ws.errors?.[0].message).toMatch(/introspection/i);
  });

  it('does not suggest field names', async () => {
    const http = await server.request(TYPO);
    expect(http.errors?.[0].message).toMatch(/Cannot query field "viewr"/);
    expect(http.errors?.[0].message).not.toMatch(/Did you mean/);
    const ws = await wsOperation(server.url, TYPO);
    expect(ws.errors?.[0].message).toMatch(/Cannot query field "viewr"/);
    expect(ws.errors?.[0].message).not.toMatch(/Did you mean/);
  });

  it('serves no playground', async () => {
    const page = await rawRequest(server.url, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect((await rawRequest(new URL('/playground/start.js', server.url).toString(), {})).status).toBe(404);
  });
});

describe('configuration overrides', () => {
  const server = useTestServer({ config: { production: true, introspection: true, fieldSuggestions: true } });

  it('turns introspection and suggestions back on in production when asked', async () => {
    expect((await server.request(INTROSPECTION)).errors).toBeUndefined();
    expect((await server.request(TYPO)).errors?.[0].message).toMatch(/Did you mean/);
  });
});
