import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationCost } from '../../src/server/query-cost';
import { buildSchema } from '../../src/server/schema';

const schema = buildSchema();

function cost(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, variables);
}

describe('operationCost', () => {
  it('multiplies by each enclosing page size and counts edges as the page itself', () => {
    // timelines: 50 x (1 + edges 1 x (1 + node (1 + events: 10 x (1 + edges (1 + node (1 + timelines 10 x 1))))))
    expect(cost('{ timelines(first: 50) { edges { node { events(first: 10) { edges { node { timelines { id } } } } } } } }').cost).toBe(6650);
  });

  it('costs leaves nothing and a single object one', () => {
    expect(cost('{ viewer { id username } }').cost).toBe(1);
    expect(cost('{ __typename }').cost).toBe(0);
  });

  it('reads page sizes from variables, their defaults and the schema default, and says when it did', () => {
    const query = 'query($n: Int = 5) { timelines(first: $n) { edges { node { id } } } }';
    expect(cost(query, { n: 40 })).toEqual({ cost: 40 * 3, dependsOnVariables: true });
    expect(cost(query, {})).toEqual({ cost: 5 * 3, dependsOnVariables: true });
    expect(cost('{ timelines { edges { node { id } } } }')).toEqual({ cost: 20 * 3, dependsOnVariables: false });
  });

  it('follows named and inline fragments', () => {
    const viaFragments = `
      query { timelines(first: 10) { ...Page } }
      fragment Page on TimelineConnection { edges { node { ... on Timeline { events(first: 10) { edges { node { id } } } } } } }`;
    const inline = '{ timelines(first: 10) { edges { node { events(first: 10) { edges { node { id } } } } } } }';
    expect(cost(viaFragments).cost).toBe(cost(inline).cost);
  });

  it('counts histogram bins like page items: from the window, or the most bins allowed when unknown', () => {
    const literal = (bucket: string, from: string, to: string) =>
      cost(`{ timeline(id: 1) { eventHistogram(bucket: ${bucket}, from: "${from}", to: "${to}") { start count } } }`).cost;
    expect(literal('DAY', '2020-01-01T00:00:00Z', '2020-01-31T00:00:00Z')).toBe(1 + 30);
    expect(literal('MONTH', '2020-01-15T00:00:00Z', '2021-01-01T00:00:00Z')).toBe(1 + 12);
    const nested = `query($b: HistogramBucket!, $f: DateTime!, $t: DateTime!) {
      timelines(first: 50) { edges { node { eventHistogram(bucket: $b, from: $f, to: $t) { count } } } } }`;
    expect(cost(nested, { b: 'YEAR', f: '2000-01-01T00:00:00Z', t: '2020-01-01T00:00:00Z' })).toEqual({ cost: 50 * (1 + 1 + 1 + 20), dependsOnVariables: true });
    expect(cost(nested, { b: 'WEEK' }).cost).toBe(50 * (1 + 1 + 1 + 1000));
  });

  it('charges each eventCount like one item, for each enclosing page item', () => {
    expect(cost('{ timeline(id: 1) { eventCount } }').cost).toBe(1 + 1);
    expect(cost('{ timeline(id: 1) { a: eventCount(from: "2020-01-01T00:00:00Z") b: eventCount(to: "2021-01-01T00:00:00Z") } }').cost).toBe(1 + 2);
    expect(cost('{ timelines(first: 50) { edges { node { eventCount } } } }').cost).toBe(50 * (1 + 1 + 1 + 1));
  });
});
