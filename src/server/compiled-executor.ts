import { createSourceEventStream, execute, GraphQLError, subscribe, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode, type Source } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** What running one operation takes, whoever hands it over (Apollo's gateway executor or graphql-ws). */
export interface OperationArgs {
  document: DocumentNode;
  /** As the client sent it. */
  operationName?: string | null;
  /** The operation `operationName` picks; none when it picks none (graphql-js then says why). */
  operation?: OperationDefinitionNode | null;
  variableValues?: Record<string, unknown> | null;
  contextValue?: unknown;
  /**
   * Subscriptions: operations with the same key (and document, operation and variables) compute the same result
   * for the same event, so the first one's is shared (over WebSocket: the viewer). Absent: nothing is shared.
   */
  shareKey?: string;
}

/**
 * Runs operations through graphql-jit, each operation compiled once per parsed document: Apollo's
 * document store (and QueryProtection for WebSocket operations) hands the same `DocumentNode` to every repeat
 * of a query, so a WeakMap keeps the compiled code exactly as long as the document is kept. graphql-js answers
 * wherever jit's answer could differ from its own: operations jit cannot compile, a subscription handed to
 * `execute` (one sent over HTTP), a name that picks no operation (Apollo takes graphql-js's error as the reason), and variables jit refuses (nothing has
 * run then, and graphql-js words the refusal the way Apollo recognises as BAD_USER_INPUT).
 */
export class CompiledExecutor {
  /** Per document, by the operation name asked for (none: the document's only operation); null when jit cannot compile it. */
  private readonly compiled = new WeakMap<DocumentNode, Map<string | undefined, CompiledQuery | null>>();

  /** Subscription results by event (the payload object), document and share key; kept as long as the event is. */
  private readonly results = new WeakMap<object, WeakMap<DocumentNode, Map<string, ExecutionResult | Promise<ExecutionResult>>>>();

  constructor(private readonly schema: GraphQLSchema) {}

  async execute(args: OperationArgs): Promise<ExecutionResult> {
    const { operation, operationName } = args;
    const compiled = operation && operation.operation !== 'subscription' ? this.compiledFor(args.document, operationName ?? undefined) : null;
    if (compiled) {
      const result = await compiled.query(undefined, args.contextValue, args.variableValues ?? {});
      if ('data' in result) return withGraphQLErrors(result, args.document);
    }
    return execute(this.graphqlJsArgs(args));
  }

  /**
   * Subscriptions (graphql-ws): the event stream comes from the field's `subscribe` as graphql-js would call it,
   * and each event's selection runs compiled. A subscription refused before it starts (variables, or an error
   * from `subscribe`) is asked again of graphql-js, so that the refusal reads exactly as graphql-js words it.
   */
  async subscribe(args: OperationArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const { operation, operationName } = args;
    const compiled = operation?.operation === 'subscription' ? this.compiledFor(args.document, operationName ?? undefined) : null;
    if (compiled?.subscribe && args.shareKey !== undefined) {
      const stream = await createSourceEventStream(this.graphqlJsArgs(args));
      if (Symbol.asyncIterator in stream) {
        const key = `${args.operationName ?? ''}|${JSON.stringify(args.variableValues ?? {})}|${args.shareKey}`;
        const run = (payload: unknown) => Promise.resolve(compiled.query(payload, args.contextValue, args.variableValues ?? {})).then((result) => withGraphQLErrors(result, args.document));
        return mapStream(stream, (payload) => this.shared(args.document, payload, key, run));
      }
    } else if (compiled?.subscribe) {
      const stream = await compiled.subscribe(undefined, args.contextValue, args.variableValues ?? {});
      if (Symbol.asyncIterator in stream) return mapStream(stream, (result) => withGraphQLErrors(result, args.document));
    }
    return subscribe(this.graphqlJsArgs(args));
  }

  /**
   * One event's result for every subscription of `document` under `key`: computed by the first to ask, and
   * kept as the result itself once it is there (the many subscribers after the first take it as it is).
   */
  private shared(document: DocumentNode, payload: unknown, key: string, run: (payload: unknown) => Promise<ExecutionResult>): ExecutionResult | Promise<ExecutionResult> {
    if (typeof payload !== 'object' || payload === null) return run(payload);
    let byDocument = this.results.get(payload);
    if (!byDocument) this.results.set(payload, (byDocument = new WeakMap()));
    let byKey = byDocument.get(document);
    if (!byKey) byDocument.set(document, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) {
      const computed = run(payload);
      byKey.set(key, (result = computed));
      computed.then((value) => byKey.set(key, value), () => undefined);
    }
    return result;
  }

  private graphqlJsArgs({ document, operationName, variableValues, contextValue }: OperationArgs) {
    return { schema: this.schema, document, operationName, variableValues, contextValue };
  }

  private compiledFor(document: DocumentNode, operationName: string | undefined): CompiledQuery | null {
    let byName = this.compiled.get(document);
    if (!byName) {
      byName = new Map();
      this.compiled.set(document, byName);
    }
    let compiled = byName.get(operationName);
    if (compiled === undefined) {
      compiled = compile(this.schema, document, operationName);
      byName.set(operationName, compiled);
    }
    return compiled;
  }
}

function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): CompiledQuery | null {
  try {
    const compiled = compileQuery(schema, document, operationName);
    return isCompiledQuery(compiled) ? compiled : null;
  } catch {
    return null;
  }
}

function withGraphQLErrors(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  return result.errors ? { ...result, errors: result.errors.map((error) => asGraphQLError(error, document.loc?.source)) } : result;
}

/**
 * Each value of `stream` through `map`, one after the other; ending or failing the result ends or fails `stream`
 * at once. Promise chains rather than async functions, and a result `map` already has is taken as it is: every
 * delivery of a subscription passes here.
 */
function mapStream<T>(stream: AsyncIterable<T>, map: (value: T) => ExecutionResult | Promise<ExecutionResult>): AsyncIterableIterator<ExecutionResult> {
  const source = stream[Symbol.asyncIterator]();
  const step = (next: IteratorResult<T>): IteratorResult<ExecutionResult> | Promise<IteratorResult<ExecutionResult>> => {
    if (next.done) return { value: undefined, done: true };
    const mapped = map(next.value);
    return mapped instanceof Promise ? mapped.then((value) => ({ value, done: false })) : { value: mapped, done: false };
  };
  return {
    next: () => source.next().then(step),
    return: () => (source.return ? source.return().then(step) : Promise.resolve({ value: undefined, done: true })),
    throw: (error: unknown) => (source.throw ? source.throw(error).then(step) : Promise.reject(error)),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * graphql-jit's errors pass `instanceof GraphQLError` but lack what graphql-js's carry (`extensions` is
 * undefined without an original error that has some, and there are no nodes): Apollo's error formatting reads
 * both. Rebuilt as graphql-js builds a located error: the message, the locations (as positions in the source),
 * the path, and the original error (whose extensions the new error takes).
 */
function asGraphQLError(error: GraphQLError, source: Source | undefined): GraphQLError {
  const { message, locations, path, originalError } = error;
  const positions = source && locations ? locations.map((location) => positionOf(source.body, location.line, location.column)) : undefined;
  return new GraphQLError(message, {
    source: positions ? source : undefined,
    positions,
    path,
    originalError: originalError ?? undefined,
  });
}

/** The offset of a 1-based line and column in `text`, lines broken as graphql-js breaks them. */
function positionOf(text: string, line: number, column: number): number {
  let lineStart = 0;
  let current = 1;
  for (const lineBreak of text.matchAll(/\r\n|[\n\r]/g)) {
    if (current === line) break;
    lineStart = lineBreak.index + lineBreak[0].length;
    current++;
  }
  return lineStart + column - 1;
}
