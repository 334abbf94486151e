/** Runs `work` over `items` in order, at most `limit` at a time, taking none once `takeMore` says no: how many it took. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<unknown>,
  takeMore: () => boolean = () => true,
): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && takeMore()) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
  return next;
}
