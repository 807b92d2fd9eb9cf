/** A value built on first use: calling it builds (once) and returns it; `peek` never builds. */
export interface Once<T> {
  (): T;
  /** The value if it was built, else undefined (for disposing only what exists). */
  peek(): T | undefined;
}

/** `make()` runs on the first call and its result is kept, even when it is undefined. */
export function once<T>(make: () => T): Once<T> {
  let made: { value: T } | undefined;
  const get = (() => {
    made ??= { value: make() };
    return made.value;
  }) as Once<T>;
  get.peek = () => made?.value;
  return get;
}
