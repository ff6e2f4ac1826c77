import { check, columnInfo, setNotNull, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/**
 * Event V2 columns: the home timeline becomes optional; `url`, `media_url` and `tags` are added. Each change is
 * catalog-only (a constant default needs no rewrite since PostgreSQL 11), so the lock is brief.
 */
export class Migration20240102000900_add_event_v2_columns extends StepMigration {
  upSteps(): Step[] {
    return [
      transaction(
        'event: optional home timeline, url, media_url, tags',
        'alter table event alter column timeline_id drop not null',
        'alter table event add column if not exists url varchar(500) null',
        'alter table event add column if not exists media_url varchar(500) null',
        `alter table event add column if not exists tags text[] not null default '{}'`,
      ),
    ];
  }

  /** Refused, changing nothing, while an event has no home timeline, a URL or tags: V1 cannot hold them. */
  downSteps(): Step[] {
    return [
      check('no event uses what V1 cannot hold', async (db) => {
        const { rows } = await db.query<{ homeless: string; urls: string; tagged: string }>(
          `select count(*) filter (where timeline_id is null) as homeless,
                  count(*) filter (where url is not null or media_url is not null) as urls,
                  count(*) filter (where cardinality(tags) > 0) as tagged
           from event`,
        );
        const { homeless, urls, tagged } = rows[0];
        if (Number(homeless) + Number(urls) + Number(tagged) > 0) {
          throw new Error(
            `${this.constructor.name} cannot go down and changed nothing: ${homeless} event(s) have no home timeline, ` +
              `${urls} have a URL and ${tagged} have tags, which the V1 schema cannot hold.`,
          );
        }
      }),
      ...setNotNull('event', 'timeline_id'),
      transaction(
        'drop url, media_url, tags',
        'alter table event drop column if exists url',
        'alter table event drop column if exists media_url',
        'alter table event drop column if exists tags',
      ),
    ];
  }

  async verify(db: Session): Promise<string[]> {
    const problems: string[] = [];
    if (!(await columnInfo(db, 'event', 'timeline_id'))?.nullable) problems.push('event.timeline_id is NOT NULL');
    for (const column of ['url', 'media_url', 'tags']) {
      if (!(await columnInfo(db, 'event', column))) problems.push(`event.${column} does not exist`);
    }
    return problems;
  }
}
