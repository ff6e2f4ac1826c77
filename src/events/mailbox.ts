/**
 * A queue read as an async iterator, for subscriptions: `push` from the producer, `for await` in
 * graphql-ws. `return()` (the client unsubscribed, the socket closed) ends it at once, even while a
 * `next()` is pending, and runs `onClose`: an async generator could not, it would wait for a value.
 */
export class Mailbox<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private closed = false;

  constructor(
    private readonly onClose: () => void,
    /** A consumer this far behind loses the oldest values rather than the process its memory. */
    private readonly capacity = 1000,
    private readonly onDrop: () => void = () => undefined,
    /**
     * Given, a full mailbox is not trimmed: the value that does not fit closes it (its reader sees the end) and
     * this is called, so that the owner can tell the reader why.
     */
    private readonly onFull?: () => void,
  ) {}

  /** Values pushed and not yet taken. */
  get queued(): number {
    return this.queue.length;
  }

  push(value: T): void {
    if (this.closed) return;
    const waiter = this.waiting.shift();
    if (waiter) return waiter({ value, done: false });
    if (this.queue.length >= this.capacity) {
      if (this.onFull) {
        this.onFull();
        void this.return();
        return;
      }
      this.queue.shift();
      this.onDrop();
    }
    this.queue.push(value);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.queue.length = 0;
      for (const waiter of this.waiting.splice(0)) waiter({ value: undefined, done: true });
      this.onClose();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * `source` mapped through `map`, skipping undefined results, one value at a time; closing it closes
 * `source` at once. Promise chains rather than async functions: every delivery of a subscription passes here.
 */
export function filterMap<T, U>(source: AsyncIterableIterator<T>, map: (value: T) => U | undefined): AsyncIterableIterator<U> {
  const next = (): Promise<IteratorResult<U>> =>
    source.next().then((item) => {
      if (item.done) return { value: undefined, done: true };
      const mapped = map(item.value);
      return mapped === undefined ? next() : { value: mapped, done: false };
    });
  return {
    next,
    async return(): Promise<IteratorResult<U>> {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
