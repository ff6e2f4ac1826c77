import { Migration } from '@mikro-orm/migrations';

/**
 * The schema the Flask application left behind (V1), exactly: existing databases are adopted at this
 * step (`npm run db:stamp -- Migration20240101000000_legacy_v1_schema`) and the V2 chain runs from it.
 */
export class Migration20240101000000_legacy_v1_schema extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "user" (id serial primary key, username varchar(80) not null unique, email varchar(120) unique,
  password_hash varchar(256), created_at timestamp not null default now());`);
    this.addSql(`create table timeline (id serial primary key, name varchar(100) not null unique, description text,
  timeline_type varchar(50) not null default 'hashtag', visibility varchar(20) not null default 'public',
  created_by int references "user"(id), created_at timestamp not null default now());`);
    this.addSql(`create table event (id serial primary key, title varchar(200) not null, description text,
  event_date timestamp not null, type varchar(50) not null default 'remark',
  timeline_id int not null references timeline(id), created_by int not null references "user"(id),
  created_at timestamp not null default now());`);
    this.addSql(`create table event_timeline_refs (event_id int not null references event(id),
  timeline_id int not null references timeline(id), created_at timestamp default now());`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table event_timeline_refs;');
    this.addSql('drop table event;');
    this.addSql('drop table timeline;');
    this.addSql('drop table "user";');
  }
}
