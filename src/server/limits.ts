import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import { badInput } from '../common/errors';
import type { QueryLimits } from '../config';
import { operationCost } from './query-cost';

export interface ProtectionOptions {
  limits: QueryLimits;
  introspection: boolean;
  fieldSuggestions: boolean;
}

export interface CheckedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/**
 * The limits every operation passes before it runs, HTTP and WebSocket alike: tokens while parsing, depth,
 * aliases and directives while validating (graphql-armor), estimated cost once the variables are known.
 * Each refusal is BAD_USER_INPUT naming the limit, and comes before any SQL.
 */
export class QueryProtection {
  /** For Apollo's `validationRules`: run once per distinct document (Apollo caches validated documents). */
  readonly validationRules: ValidationRule[];
  readonly parseOptions: ParseOptions;
  /** Every rule a document passes, as Apollo applies them: graphql-js's, the armor's, introspection as configured. */
  readonly rules: ValidationRule[];
  /** Costs that hold whatever the variables, by operation: Apollo hands the same parsed document to every repeat. */
  private readonly fixedCosts = new WeakMap<OperationDefinitionNode, number>();
  /**
   * Valid documents by query text, for WebSocket operations, as Apollo's document store keeps them for HTTP:
   * a repeat is neither parsed nor validated again, and the compiled executor finds it compiled.
   */
  private readonly validDocuments = new Map<string, DocumentNode>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: ProtectionOptions,
  ) {
    const { limits } = options;
    this.validationRules = new ApolloArmor({
      blockFieldSuggestion: { enabled: false },
      costLimit: { enabled: false },
      maxTokens: { enabled: false },
      maxDepth: { n: limits.maxDepth },
      maxAliases: { n: limits.maxAliases },
      maxDirectives: { n: limits.maxDirectives },
    }).protect().validationRules as ValidationRule[];
    this.parseOptions = { maxTokens: limits.maxTokens };
    this.rules = [
      ...specifiedRules,
      ...this.validationRules,
      ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ];
  }

  /** Throws BAD_USER_INPUT when the operation's estimated cost is over the limit. */
  checkCost(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): void {
    let cost = this.fixedCosts.get(operation);
    if (cost === undefined) {
      const estimate = operationCost(this.schema, document, operation, variables);
      cost = estimate.cost;
      if (!estimate.dependsOnVariables) this.fixedCosts.set(operation, cost);
    }
    if (cost > this.options.limits.maxCost) {
      throw badInput(`Query cost limit of ${this.options.limits.maxCost} exceeded, estimated ${cost}: ask for smaller pages (first) or fewer nested lists.`, {
        reason: 'QUERY_TOO_COSTLY',
        http: { status: 400 },
      });
    }
  }

  /** Apollo plugin: the cost check, after the operation is resolved and before it executes. */
  costPlugin(): ApolloServerPlugin {
    const listener: GraphQLRequestListener<BaseContext> = {
      didResolveOperation: async ({ document, operation, request }) => {
        if (operation) this.checkCost(document, operation, request.variables);
      },
    };
    return { requestDidStart: async () => listener };
  }

  /**
   * Everything Apollo does for an HTTP request, for a WebSocket one: parse with the token limit, validate
   * with the same rules (introspection as configured), pick the operation and check its cost.
   */
  check(query: string, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): CheckedOperation | { errors: GraphQLError[] } {
    const document = this.validDocuments.get(query) ?? this.parseAndValidate(query);
    if ('errors' in document) return document;
    const operation = getOperationAST(document, operationName);
    if (!operation) return { errors: [badInput('The document must name the operation to run', { reason: 'OPERATION_RESOLUTION_FAILURE' })] };
    try {
      this.checkCost(document, operation, variables ?? undefined);
    } catch (error) {
      return { errors: [error as GraphQLError] };
    }
    return { document, operation };
  }

  private parseAndValidate(query: string): DocumentNode | { errors: GraphQLError[] } {
    let document: DocumentNode;
    try {
      document = parse(query, this.parseOptions);
    } catch (error) {
      return { errors: [requestError(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')] };
    }
    const errors = validate(this.schema, document, this.rules);
    if (errors.length > 0) return { errors: errors.map((error) => requestError(error, 'GRAPHQL_VALIDATION_FAILED', this.options.fieldSuggestions)) };
    // Oldest first out: enough for any client's set of operations, bounded against one that sends endless variants.
    if (this.validDocuments.size >= MAX_KEPT_DOCUMENTS) this.validDocuments.delete(this.validDocuments.keys().next().value!);
    this.validDocuments.set(query, document);
    return document;
  }
}

const MAX_KEPT_DOCUMENTS = 1000;

/** Shaped as HTTP clients see the same error (see errors.ts): BAD_USER_INPUT with Apollo's code as the reason. */
function requestError(error: GraphQLError, reason: string, suggestions = true): GraphQLError {
  const message = suggestions ? error.message : error.message.replace(/ ?Did you mean(.+?)\?$/, '');
  return badInput(message, { reason });
}
