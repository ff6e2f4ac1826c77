import { describe, expect, it } from 'vitest';
import { filterMap, Mailbox } from '../../src/events/mailbox';

describe('Mailbox (subscription queue)', () => {
  it('hands values to a waiting reader, then queues them in order', async () => {
    const mailbox = new Mailbox<number>(() => undefined);
    const pending = mailbox.next();
    mailbox.push(1);
    mailbox.push(2);
    mailbox.push(3);
    expect(await pending).toEqual({ value: 1, done: false });
    expect(await mailbox.next()).toEqual({ value: 2, done: false });
    expect(await mailbox.next()).toEqual({ value: 3, done: false });
  });

  it('ends a pending read at once when closed, and tells its owner once', async () => {
    let closed = 0;
    const mailbox = new Mailbox<number>(() => closed++);
    const pending = mailbox.next();
    await mailbox.return();
    await mailbox.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    mailbox.push(1);
    expect(await mailbox.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });

  it('drops the oldest values for a reader that far behind', async () => {
    const mailbox = new Mailbox<number>(() => undefined, 2);
    [1, 2, 3].forEach((value) => mailbox.push(value));
    expect([(await mailbox.next()).value, (await mailbox.next()).value]).toEqual([2, 3]);
  });

  it('with onFull: the value that does not fit closes it instead, and the owner is told once', async () => {
    let full = 0;
    let closed = 0;
    const mailbox = new Mailbox<number>(() => closed++, 2, undefined, () => full++);
    [1, 2, 3, 4].forEach((value) => mailbox.push(value));
    expect([full, closed, mailbox.queued]).toEqual([1, 1, 0]);
    expect(await mailbox.next()).toEqual({ value: undefined, done: true });
  });

  it('filterMap skips undefined results and closes its source when closed', async () => {
    let closed = false;
    const source = new Mailbox<number>(() => (closed = true));
    const evens = filterMap(source, (n) => (n % 2 === 0 ? `even ${n}` : undefined));
    [1, 2, 3, 4].forEach((n) => source.push(n));
    expect(await evens.next()).toEqual({ value: 'even 2', done: false });
    expect(await evens.next()).toEqual({ value: 'even 4', done: false });
    const pending = evens.next();
    await evens.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(closed).toBe(true);
  });
});
