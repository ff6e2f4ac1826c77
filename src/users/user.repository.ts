import { columns, type EntityRow } from '../db/columns';
import { User } from './user.entity';
import { statement, writeStatement, type PreparedStatements } from '../db/prepared';

/** A user as the API reads it (never the password hash): the GraphQL `User` type's parent. */
export type UserRow = EntityRow<User, 'id' | 'username'>;

/** The columns of `UserRow`, aliased `u`. */
export const USER_COLUMNS = columns(User, 'u', ['id', 'username']);
const COLUMNS = USER_COLUMNS;

const INSERT = writeStatement(
  'user.insert',
  `insert into "user" as u (username, password_hash) values ($1, $2)
   on conflict (username) do nothing
   returning ${COLUMNS}`,
);
const FIND_CREDENTIALS = statement('user.findCredentials', `select ${COLUMNS}, u.password_hash as "passwordHash" from "user" u where u.username = $1`);
const FIND_CREDENTIALS_BY_ID = writeStatement(
  'user.findCredentialsById',
  `select ${COLUMNS}, u.password_hash as "passwordHash" from "user" u where u.id = $1`,
);
/** Only over the hash that was checked: of two concurrent changes, the second finds the hash changed and fails. */
const REPLACE_PASSWORD_HASH = writeStatement(
  'user.replacePasswordHash',
  `update "user" set password_hash = $3 where id = $1 and password_hash = $2 returning id`,
);
const FIND_BY_IDS = statement('user.findByIds', `select ${COLUMNS} from "user" u where u.id = any($1::int[])`);

export class UserRepository {
  constructor(private readonly db: PreparedStatements) {}

  /** Undefined when the username is taken. */
  insert(username: string, passwordHash: string): Promise<UserRow | undefined> {
    return this.db.row<UserRow>(INSERT, [username, passwordHash]);
  }

  findCredentials(username: string): Promise<EntityRow<User, 'id' | 'username' | 'passwordHash'> | undefined> {
    return this.db.row(FIND_CREDENTIALS, [username]);
  }

  /** On the primary: a password change checks the hash it is about to replace. */
  findCredentialsById(id: number): Promise<EntityRow<User, 'id' | 'username' | 'passwordHash'> | undefined> {
    return this.db.row(FIND_CREDENTIALS_BY_ID, [id]);
  }

  /** False when the hash is no longer `checked` (changed meanwhile). */
  async replacePasswordHash(id: number, checked: string, next: string): Promise<boolean> {
    return (await this.db.row(REPLACE_PASSWORD_HASH, [id, checked, next])) !== undefined;
  }

  findByIds(ids: readonly number[]): Promise<UserRow[]> {
    return this.db.rows<UserRow>(FIND_BY_IDS, [ids]);
  }
}
