import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** Table and constraint names are the legacy schema's (see the first migration). */
@Entity({ tableName: 'user' })
@Unique({ name: 'user_username_key', properties: ['username'] })
@Unique({ name: 'user_email_key', properties: ['email'] })
export class User {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string', length: 80 })
  username!: string;

  @Property({ type: 'string', length: 120, nullable: true })
  email?: string | null;

  @Property({ type: 'string', length: 256, nullable: true })
  passwordHash?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
