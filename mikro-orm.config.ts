import { scriptDatabaseUrl } from './scripts/database';
import { ormConfig } from './src/db/orm-config';

/**
 * Configuration for `npx mikro-orm ...`: the database is `DATABASE_URL` (the deploy step), else the development
 * database of a running `npm start`, as for the `db:*` scripts.
 */
export default ormConfig(scriptDatabaseUrl());
