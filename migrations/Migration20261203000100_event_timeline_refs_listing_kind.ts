import { batches, check, columnInfo, constraintInfo, setNotNull, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/**
 * A listing remembers how it came to be (SPEC section 11): `kind` is `home` (the event's home timeline), `tag`
 * (the hashtag timeline of one of its tags) or `share` (listed by `shared_by`). The zero-downtime way of the chain:
 * the columns are added nullable with their CHECK and foreign key `NOT VALID` (catalog-only, a brief lock), a
 * trigger fills `kind` for rows the previous version still inserts without it, existing rows are backfilled in
 * batches of events, the constraints are validated without blocking writers, and `kind` becomes NOT NULL through
 * a validated CHECK. Existing rows: the home timeline is `home`, a hashtag timeline `tag`, anything else `share`
 * with no known sharer (V1 had no other way to list an event on a community or personal timeline).
 */
const BACKFILL_LISTING_KIND = `update event_timeline_refs r
  set kind = case when r.timeline_id = e.timeline_id then 'home' when t.timeline_type = 'hashtag' then 'tag' else 'share' end
  from event e, timeline t
  where e.id = r.event_id and t.id = r.timeline_id and r.event_id > $1 and r.event_id <= $2 and r.kind is null`;

export class Migration20261203000100_event_timeline_refs_listing_kind extends StepMigration {
  upSteps(): Step[] {
    return [
      transaction(
        'add event_timeline_refs.kind and shared_by (nullable), their CHECK and foreign key NOT VALID, and the kind trigger',
        'alter table event_timeline_refs add column if not exists kind varchar(10) null',
        'alter table event_timeline_refs add column if not exists shared_by int null',
        'alter table event_timeline_refs drop constraint if exists event_timeline_refs_kind_check',
        `alter table event_timeline_refs add constraint event_timeline_refs_kind_check check (kind in ('home', 'tag', 'share')) not valid`,
        'alter table event_timeline_refs drop constraint if exists event_timeline_refs_shared_by_fkey',
        `alter table event_timeline_refs add constraint event_timeline_refs_shared_by_fkey foreign key (shared_by) references "user" (id) not valid`,
        `create or replace function event_timeline_refs_fill_kind() returns trigger language plpgsql as $$
         begin
           select case when new.timeline_id = e.timeline_id then 'home' when t.timeline_type = 'hashtag' then 'tag' else 'share' end
             into new.kind
           from event e, timeline t where e.id = new.event_id and t.id = new.timeline_id;
           return new;
         end $$`,
        'drop trigger if exists event_timeline_refs_fill_kind on event_timeline_refs',
        `create trigger event_timeline_refs_fill_kind before insert on event_timeline_refs
         for each row when (new.kind is null) execute function event_timeline_refs_fill_kind()`,
      ),
      batches('backfill event_timeline_refs.kind', 'event', BACKFILL_LISTING_KIND),
      transaction('validate CHECK event_timeline_refs_kind_check', 'alter table event_timeline_refs validate constraint event_timeline_refs_kind_check'),
      transaction('validate foreign key event_timeline_refs_shared_by_fkey', 'alter table event_timeline_refs validate constraint event_timeline_refs_shared_by_fkey'),
      ...setNotNull('event_timeline_refs', 'kind'),
    ];
  }

  /** Refused, changing nothing, while a listing names who shared it: that would be lost (kinds can be derived again). */
  downSteps(): Step[] {
    return [
      check('no listing names its sharer', async (db) => {
        const { rows } = await db.query<{ shared: string }>('select count(*) as shared from event_timeline_refs where shared_by is not null');
        if (Number(rows[0].shared) > 0) {
          throw new Error(
            `${this.constructor.name} cannot go down and changed nothing: ${rows[0].shared} listing(s) remember who shared them, ` +
              'which would be lost. Unshare them (or set event_timeline_refs.shared_by to null) first if losing that is intended.',
          );
        }
      }),
      transaction(
        'drop the kind trigger, event_timeline_refs.kind and shared_by',
        'drop trigger if exists event_timeline_refs_fill_kind on event_timeline_refs',
        'drop function if exists event_timeline_refs_fill_kind()',
        'alter table event_timeline_refs drop column if exists shared_by',
        'alter table event_timeline_refs drop column if exists kind',
      ),
    ];
  }

  async verify(db: Session): Promise<string[]> {
    const problems: string[] = [];
    const kind = await columnInfo(db, 'event_timeline_refs', 'kind');
    if (!kind || kind.nullable) problems.push('event_timeline_refs.kind is missing or nullable');
    if (!(await constraintInfo(db, 'event_timeline_refs_shared_by_fkey'))?.validated) problems.push('foreign key event_timeline_refs_shared_by_fkey is missing or not validated');
    return problems;
  }
}
