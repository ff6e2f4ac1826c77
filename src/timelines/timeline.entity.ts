import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity';
import { PERSONAL_NAME_CONFLICT, PERSONAL_NAME_INDEX, PUBLIC_NAME_CONFLICT, PUBLIC_NAME_INDEX } from './timeline-names';

export type TimelineKind = 'hashtag' | 'community' | 'personal';
export type TimelineVisibility = 'public' | 'private';

/**
 * A timeline. `name` is the base name (no `#`, `i-`, `My-`); the formatted name is derived from the type
 * in `src/naming`. Its names are unique per type once folded (see `timeline-names.ts`).
 */
@Entity({ tableName: 'timeline' })
@Check({ name: 'timeline_personal_owner_check', expression: "timeline_type <> 'personal' or created_by is not null" })
@Index({ name: PUBLIC_NAME_INDEX, expression: `create unique index "${PUBLIC_NAME_INDEX}" on "timeline" ${PUBLIC_NAME_CONFLICT}` })
@Index({ name: PERSONAL_NAME_INDEX, expression: `create unique index "${PERSONAL_NAME_INDEX}" on "timeline" ${PERSONAL_NAME_CONFLICT}` })
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
  createdAt: Date & Opt = new Date();
}
