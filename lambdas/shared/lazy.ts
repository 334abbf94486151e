/**
 * A value built on its first use and kept for every later one: what a module would otherwise build when it loads, taken off
 * the cold start of every function that imports it and never uses it. A build that throws is tried again at the next use.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
