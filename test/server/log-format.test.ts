import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config';
import { logFormat } from '../../src/server/logger';
import { createTestDatabase } from '../support/database';

describe('log format', () => {
  it('is pretty in a terminal outside production, JSON lines otherwise, unless LOG_FORMAT says', () => {
    expect(logFormat({}, false, true)).toBe('pretty');
    expect(logFormat({}, true, true)).toBe('json');
    expect(logFormat({}, false, false)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, false, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'Pretty' }, true, false)).toBe('pretty');
    expect(() => logFormat({ LOG_FORMAT: 'xml' }, false, true)).toThrow('LOG_FORMAT must be json or pretty, got "xml"');
  });

  it('`npm start` in a terminal writes readable lines', async () => {
    const url = await createTestDatabase();
    // `script` gives the server a pseudo-terminal as stdout, as a person's shell does.
    const child = spawn('script', ['-qec', `exec node --import tsx src/main.ts`, '/dev/null'], {
      cwd: projectRoot,
      env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: url, PORT: '0', JWT_SECRET: 'pretty', LOG_LEVEL: 'info', NODE_ENV: 'development' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    const plain = () => output.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
    try {
      await expect.poll(plain, { timeout: 60_000, interval: 200 }).toMatch(/iTimeline API ready at/);
      expect(plain()).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: iTimeline API ready at http:\/\/127\.0\.0\.1:\d+\/graphql \(HTTP and WebSocket\) \{"url":/m);
      expect(plain()).not.toMatch(/^\{"level"/m);
    } finally {
      const exited = once(child, 'exit');
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  }, 90_000);
});
