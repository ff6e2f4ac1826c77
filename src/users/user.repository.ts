import { statement, writeStatement, type PreparedStatements } from '../db/prepared';

export interface UserRecord {
  id: number;
  username: string;
}

const COLUMNS = 'id, username';

const INSERT = writeStatement(
  'user.insert',
  `insert into "user" (username, password_hash) values ($1, $2)
   on conflict (username) do nothing
   returning ${COLUMNS}`,
);
const FIND_CREDENTIALS = statement('user.findCredentials', `select ${COLUMNS}, password_hash from "user" where username = $1`);
const FIND_BY_IDS = statement('user.findByIds', `select ${COLUMNS} from "user" where id = any($1::int[])`);

export class UserRepository {
  constructor(private readonly db: PreparedStatements) {}

  /** Undefined when the username is taken. */
  insert(username: string, passwordHash: string): Promise<UserRecord | undefined> {
    return this.db.row<UserRecord>(INSERT, [username, passwordHash]);
  }

  findCredentials(username: string): Promise<(UserRecord & { password_hash: string | null }) | undefined> {
    return this.db.row(FIND_CREDENTIALS, [username]);
  }

  findByIds(ids: readonly number[]): Promise<UserRecord[]> {
    return this.db.rows<UserRecord>(FIND_BY_IDS, [ids]);
  }
}
