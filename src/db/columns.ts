import { helper, MetadataStorage, Reference, ReferenceKind, UnderscoreNamingStrategy, type Dictionary, type EntityClass, type EntityProperty } from '@mikro-orm/core';
import type { PgTimestamp } from './prepared';

/** A column's value as the ORM's connection returns it: timestamps as text, a reference as its primary key. */
type ColumnValue<V> = V extends Date ? PgTimestamp : V extends { id: infer Id } ? Id : V;

/**
 * What a hand-written statement returns for entity `T`: its properties `K` (all by default), named as in the
 * entity, each a plain value. Hot reads return these rather than managed entities (see docs/database.md).
 */
export type EntityRow<T, K extends keyof T = keyof T> = { [P in K]-?: ColumnValue<Exclude<T[P], undefined>> };

const naming = new UnderscoreNamingStrategy();

/**
 * The select list of `entity`'s properties (all, or `properties`) for its table aliased `alias`, each column
 * named as its property: read from the entity's metadata, so a property added to an entity reaches every read.
 */
export function columns<T>(entity: EntityClass<T>, alias: string, properties?: readonly (keyof T & string)[]): string {
  const meta = MetadataStorage.getMetadataFromDecorator(entity as EntityClass<T> & Dictionary);
  const props: Dictionary<EntityProperty | undefined> = meta.properties;
  const names: readonly string[] = properties ?? Object.keys(props);
  return names
    .map((name) => {
      const prop = props[name];
      if (!prop) throw new Error(`${meta.className} has no property ${name}`);
      // Before discovery a property holds its decorator's options: `fieldName` when one is given.
      const column = (prop as { fieldName?: string }).fieldName ?? naming.propertyToColumnName(name);
      return `${alias}.${column} as "${name}"`;
    })
    .join(', ');
}

/** A `Date` as PostgreSQL writes a `timestamp` in UTC (`PgTimestamp`). */
const pgTimestamp = (date: Date): PgTimestamp => date.toISOString().slice(0, 23).replace('T', ' ');

/**
 * A managed entity (created or changed by a unit of work, after its flush) as a hand-written read would have
 * returned it: the same `EntityRow`, so that a write answers with what a read of it returns.
 */
export function entityRow<T extends object>(entity: T): EntityRow<T> {
  const row: Dictionary = {};
  for (const prop of helper(entity).__meta.props) {
    if (prop.persist === false || (prop.kind !== ReferenceKind.SCALAR && prop.kind !== ReferenceKind.MANY_TO_ONE)) continue;
    const value: unknown = (entity as Dictionary)[prop.name];
    if (value instanceof Date) row[prop.name] = pgTimestamp(value);
    else if (value != null && prop.kind === ReferenceKind.MANY_TO_ONE) row[prop.name] = helper(Reference.unwrapReference(value as object)).getPrimaryKey();
    else row[prop.name] = value ?? null;
  }
  return row as EntityRow<T>;
}
