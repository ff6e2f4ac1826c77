import { describe, expect, it } from 'vitest';
import { rawRequest, startTestServer, stopTestServer, useTestServer } from './support';

const endpoint = (graphqlUrl: string, path: string) => new URL(path, graphqlUrl).toString();

describe('health endpoints', () => {
  const server = useTestServer();

  it('reports liveness and readiness while the database is reachable and migrated', async () => {
    const live = await rawRequest(endpoint(server.url, '/healthz'), {});
    expect(live).toMatchObject({ status: 200, json: { status: 'ok' } });
    const ready = await rawRequest(endpoint(server.url, '/readyz'), {});
    expect(ready).toMatchObject({ status: 200, json: { status: 'ready' } });
  });

  it('turns unready (503) once shutting down, while staying live', async () => {
    server.app.health.markShuttingDown();
    const ready = await rawRequest(endpoint(server.url, '/readyz'), {});
    expect(ready).toMatchObject({ status: 503, json: { status: 'unavailable', reason: 'shutting down' } });
    expect((await rawRequest(endpoint(server.url, '/healthz'), {})).status).toBe(200);
  });
});

describe('readiness with a migration pending', () => {
  it('is 503 naming the cause', async () => {
    const server = await startTestServer();
    try {
      const { rows } = await server.db.query('delete from mikro_orm_migrations where id = (select max(id) from mikro_orm_migrations) returning name');
      expect(rows).toHaveLength(1);
      const ready = await rawRequest(endpoint(server.url, '/readyz'), {});
      expect(ready).toMatchObject({ status: 503, json: { status: 'unavailable', reason: '1 pending migration(s)' } });
    } finally {
      await stopTestServer(server);
    }
  });
});
