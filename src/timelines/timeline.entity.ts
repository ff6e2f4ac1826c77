import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity';

export type TimelineKind = 'hashtag' | 'community' | 'personal';
export type TimelineVisibility = 'public' | 'private';

/**
 * A timeline. `name` is the base name (no `#`, `i-`, `My-`); the formatted name is derived from the type
 * in `src/naming`. Uniqueness folds case with `upper(name collate "und-x-icu")` so that it does not depend
 * on the server's locale; every lookup by name repeats that expression so it uses these indexes.
 */
@Entity({ tableName: 'timeline' })
@Check({ name: 'timeline_personal_owner_check', expression: "timeline_type <> 'personal' or created_by is not null" })
@Index({
  name: 'timeline_public_name_unique',
  expression: `create unique index "timeline_public_name_unique" on "timeline" (upper(name collate "und-x-icu"), timeline_type) where timeline_type in ('hashtag', 'community')`,
})
@Index({
  name: 'timeline_personal_name_unique',
  expression: `create unique index "timeline_personal_name_unique" on "timeline" (upper(name collate "und-x-icu"), timeline_type, created_by) where timeline_type = 'personal'`,
})
export class Timeline {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  /**
   * An enum rather than a `@Check`: MikroORM reads the CHECK `timeline_type_check` (created by the migrations) back as
   * this column's enum items, so only this form compares equal in `migration:check`.
   */
  @Enum({ items: ['hashtag', 'community', 'personal'], columnType: 'varchar(50)', default: 'hashtag' })
  timelineType: TimelineKind = 'hashtag';

  @Property({ type: 'string', length: 20, default: 'public' })
  visibility: TimelineVisibility = 'public';

  @Property({ type: 'boolean', default: false })
  requiresApproval: boolean = false;

  @ManyToOne(() => User, { fieldName: 'created_by', nullable: true, ref: true, foreignKeyName: 'timeline_created_by_fkey', deleteRule: 'no action', updateRule: 'no action' })
  createdBy?: Ref<User> | null;

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
