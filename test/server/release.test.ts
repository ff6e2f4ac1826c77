import type { ApolloServerPlugin } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../src/server/context';
import { newTimeline, newUser } from '../support/factories';
import { useTestServer } from './support';

/** Keeps each operation's context, as anything Apollo leaves holding it after the response would. */
function keeper(kept: Context[]): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      kept.push(contextValue);
    },
  };
}

describe('an HTTP operation, once its response is ready', () => {
  const kept: Context[] = [];
  const server = useTestServer({ plugins: [keeper(kept)] });

  it('has let its EntityManager fork and its loaders\' rows go, and answered in full', async () => {
    const alice = await newUser(server);
    const climate = await newTimeline(server, alice, { name: 'Climate', type: 'HASHTAG' });
    kept.length = 0;
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
      body: JSON.stringify({ query: `{ timeline(id: "${climate.id}") { name createdBy { username } } }` }),
    });
    expect(((await response.json()) as any).data).toEqual({ timeline: { name: 'Climate', createdBy: { username: alice.username } } });
    expect(kept).toHaveLength(1);
    const [context] = kept;
    expect(() => context.em).toThrow(/released/);
    // The loaders are built anew: nothing of the operation's rows is cached any more.
    expect((context.loaders as unknown as { built: object }).built).toEqual({});
  });
});
