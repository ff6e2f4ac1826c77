import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { printSchema, type GraphQLSchema } from 'graphql';
import type { CompiledExecutor } from './compiled-executor';

type GatewayInterface = ApolloServerOptionsWithGateway<never>['gateway'];
type SchemaListener = Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0];

/**
 * Apollo's supported way to run operations with an executor of one's own (`gateway`), here a single local
 * schema whose operations the compiled executor runs. Apollo still parses, validates (document store), resolves
 * the operation, runs every plugin and formats errors; only execution is handed over. The schema never changes,
 * so `load` announces it once, before resolving, as `start()` requires.
 */
export class CompiledGateway implements GatewayInterface {
  private readonly listeners = new Set<SchemaListener>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly executor: CompiledExecutor,
  ) {}

  onSchemaLoadOrUpdate(listener: SchemaListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async load(): ReturnType<GatewayInterface['load']> {
    const loaded = { apiSchema: this.schema, coreSupergraphSdl: printSchema(this.schema) };
    for (const listener of this.listeners) listener(loaded);
    return {
      executor: ({ document, operation, request, context }) =>
        this.executor.execute({ document, operationName: request.operationName, operation, variableValues: request.variables, contextValue: context }),
    };
  }

  async stop(): Promise<void> {
    this.listeners.clear();
  }
}
