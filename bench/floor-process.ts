import { cpuMillis, serveParent } from './child';
import { startFloor, type Floor } from './floor';

/** The floor server (`floor.ts`) in a process of its own: argv is the database URL, the pool size and the JWT secret. */
const [databaseUrl, poolSize, jwtSecret] = process.argv.slice(2);
let floor: Floor | undefined;

serveParent(async (message) => {
  if (message.type === 'ready') return (floor = await startFloor({ databaseUrl, poolSize: Number(poolSize), jwtSecret })).url;
  if (message.type === 'cpu') return cpuMillis();
  throw new Error(`unknown message ${String(message.type)}`);
});

process.on('SIGTERM', () => {
  void (floor?.close() ?? Promise.resolve()).then(() => process.exit(0));
});
