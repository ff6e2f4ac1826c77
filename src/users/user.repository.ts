import { columns, type EntityRow } from '../db/columns';
import { User } from './user.entity';
import { statement, writeStatement, type PreparedStatements } from '../db/prepared';

/** A user as the API reads it (never the password hash): the GraphQL `User` type's parent. */
export type UserRow = EntityRow<User, 'id' | 'username'>;

const COLUMNS = columns(User, 'u', ['id', 'username']);

const INSERT = writeStatement(
  'user.insert',
  `insert into "user" as u (username, password_hash) values ($1, $2)
   on conflict (username) do nothing
   returning ${COLUMNS}`,
);
const FIND_CREDENTIALS = statement('user.findCredentials', `select ${COLUMNS}, u.password_hash as "passwordHash" from "user" u where u.username = $1`);
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

  findByIds(ids: readonly number[]): Promise<UserRow[]> {
    return this.db.rows<UserRow>(FIND_BY_IDS, [ids]);
  }
}
