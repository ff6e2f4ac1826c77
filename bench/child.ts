import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The runner talks to its child processes (service, floor, load driver) over IPC: one request at a time
 * per child, each answered by one message `{ id, result }` or `{ id, error }`.
 */
export interface Child {
  process: ChildProcess;
  /** What the child answered to `ready` (the servers: their URL). */
  ready: unknown;
  call<T>(message: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

type Reply = { id: number; result?: unknown; error?: string };

/**
 * The Node flags `npm start` and `npm run start:prod` give the service (package.json): every child of the bench
 * runs with them, the floors too, so that a ratio compares code on the same runtime. A young generation of
 * 32 MB semispaces: the request path allocates short-lived objects fast, and with V8's default (16 MB on
 * Node 20) garbage collection took 13–16% of a page's or lookup's CPU profile (README, "Performance").
 */
export const NODE_FLAGS = ['--max-semi-space-size=32'];

/** `script` is relative to bench/, or absolute (another checkout's, run from its own `cwd`). */
export async function startChild(script: string, args: string[], options: { execArgv?: string[]; cwd?: string } = {}): Promise<Child> {
  const child = fork(resolve(__dirname, script), args, {
    cwd: options.cwd,
    execArgv: [...NODE_FLAGS, '--import', 'tsx', ...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: Reply) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(`${script}: ${message.error}`));
    else waiter?.resolve(message.result);
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${script} exited with ${code}`));
    pending.clear();
  });
  const call = <T>(message: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ ...message, id });
    });
  const ready = await call({ type: 'ready' });
  return {
    process: child,
    ready,
    call,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** The child's side: answers each request with `handle`'s result, reporting failures instead of dying. */
export function serveParent(handle: (message: Record<string, unknown>) => Promise<unknown>): void {
  process.on('message', (message: Record<string, unknown> & { id: number }) => {
    handle(message).then(
      (result) => process.send!({ id: message.id, result }),
      (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

/**
 * A measured server's side: `ready` starts it and answers its URL, `cpu` its CPU time so far, `memory` its heap
 * after a full collection (with --expose-gc, as the live scenario runs it: a difference is then what stays).
 */
export function serveServer(start: () => Promise<string>): void {
  serveParent(async (message) => {
    if (message.type === 'ready') return start();
    if (message.type === 'cpu') return cpuMillis();
    if (message.type === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage();
    }
    throw new Error(`unknown message ${String(message.type)}`);
  });
}

/** CPU time this process has used, in milliseconds (user + system). */
export function cpuMillis(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
