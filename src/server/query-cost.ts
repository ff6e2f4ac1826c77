import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

import { BUCKET_FIELD, binCount, MAX_HISTOGRAM_BINS } from '../events/timeline-window';
import type { HistogramBucket } from '../generated/graphql';

/** A list without a `first` argument (an event's timelines, its tags) counts as this many items. */
const PLAIN_LIST_SIZE = 10;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  operation: OperationDefinitionNode;
  /** Set when a page size came from a variable: the cost then holds for these variables only. */
  usedVariables: boolean;
}

export interface OperationCost {
  cost: number;
  /** False when the cost is the document's whatever the variables (all page sizes literal or defaults). */
  dependsOnVariables: boolean;
}

/**
 * An upper bound on the objects an operation can return: every object-typed field costs 1, multiplied by
 * the page size of each enclosing paged field (`first`, from the literal, the variable or the schema's
 * default) and by PLAIN_LIST_SIZE for other lists. A connection's `edges` is the page itself, so it
 * multiplies by nothing more. Leaf fields cost nothing (their parent object was already counted), but for a
 * count over a window, which costs 1 like an object.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): OperationCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const root = schema.getRootType(operation.operation);
  const walk: Walk = { schema, fragments, variables, operation, usedVariables: false };
  const cost = root ? selectionCost(walk, operation.selectionSet, root) : 0;
  return { cost, dependsOnVariables: walk.usedVariables };
}

function selectionCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!(isObjectType(type) || isInterfaceType(type))) continue;
      const field = type.getFields()[selection.name.value];
      if (!selection.selectionSet) {
        if (field && isWindowAggregate(field)) cost += 1;
        continue;
      }
      const child = field && getNamedType(field.type);
      if (!child || !isCompositeType(child)) continue;
      cost += multiplier(walk, selection, field, type) * (1 + selectionCost(walk, selection.selectionSet, child));
    } else {
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : walk.fragments.get(selection.name.value);
      if (!fragment) continue;
      const condition = fragment.typeCondition ? walk.schema.getType(fragment.typeCondition.name.value) : type;
      if (condition && isCompositeType(condition)) cost += selectionCost(walk, fragment.selectionSet, condition);
    }
  }
  return cost;
}

function multiplier(walk: Walk, node: FieldNode, field: GraphQLField<unknown, unknown>, parent: GraphQLCompositeType): number {
  if (field.args.some((arg) => arg.name === 'bucket')) return histogramBins(walk, node, field);
  const first = field.args.find((arg) => arg.name === 'first');
  if (first) {
    const argument = node.arguments?.find((arg) => arg.name.value === 'first')?.value;
    const value = (argument && argumentValue(walk, argument, first.type)) ?? first.defaultValue;
    return typeof value === 'number' && value > 0 ? value : 1;
  }
  if (!isListType(getNullableType(field.type))) return 1;
  return field.name === 'edges' && parent.name.endsWith('Connection') ? 1 : PLAIN_LIST_SIZE;
}

/**
 * A scalar computed over a window of a timeline (`eventCount(from, to)`) costs what one object does: it is a
 * statement's worth of work like a page item, and it is paid for each enclosing page item.
 */
const isWindowAggregate = (field: GraphQLField<unknown, unknown>) => field.args.some((arg) => arg.name === 'to') && !isCompositeType(getNamedType(field.type));

/**
 * A histogram (a field with `bucket`, `from` and `to`) costs one item per bin, like a page per item; the most
 * bins it may have when the arguments cannot be read (the resolver refuses more).
 */
function histogramBins(walk: Walk, node: FieldNode, field: GraphQLField<unknown, unknown>): number {
  const value = (name: string) => {
    const arg = field.args.find((candidate) => candidate.name === name);
    const ast = node.arguments?.find((candidate) => candidate.name.value === name)?.value;
    return arg && ast ? argumentValue(walk, ast, arg.type) : undefined;
  };
  const [bucket, from, to] = [value('bucket'), asDate(value('from')), asDate(value('to'))];
  if (typeof bucket !== 'string' || !(bucket in BUCKET_FIELD) || !from || !to) return MAX_HISTOGRAM_BINS;
  return Math.min(Math.max(binCount(bucket as HistogramBucket, from, to), 1), MAX_HISTOGRAM_BINS);
}

/** A DateTime argument: parsed from a literal, raw text from the variables. */
function asDate(value: unknown): Date | undefined {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** A literal, or a variable's value from the request, else its default in the operation. */
function argumentValue(walk: Walk, value: ValueNode, type: GraphQLInputType): unknown {
  if (value.kind !== Kind.VARIABLE) return valueFromAST(value, type);
  walk.usedVariables = true;
  const name = value.name.value;
  if (walk.variables[name] !== undefined) return walk.variables[name];
  const definition = walk.operation.variableDefinitions?.find((variable) => variable.variable.name.value === name);
  return definition?.defaultValue ? valueFromAST(definition.defaultValue, type) : undefined;
}
