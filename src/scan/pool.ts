// A bounded concurrency pool: at most `concurrency` tasks in flight, results in input order,
// a callback as each finishes (for progress). The pool holds one result slot per input and
// nothing else, so thousands of targets cost thousands of small objects, not sockets.

export async function mapPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>, onDone?: (done: number, index: number, result: R) => void): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      const r = await fn(items[i]!, i);
      results[i] = r;
      done++;
      onDone?.(done, i, r);
    }
  };
  const n = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}
