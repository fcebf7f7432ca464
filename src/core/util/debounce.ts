/** Trailing debounce with a maximum wait, so a steady stream of events still gets flushed regularly. */
export interface Debounced {
  (): void;
  /** Run now if something is scheduled; resolves when the run is done. */
  flush(): Promise<void>;
  cancel(): void;
}

export function debounce(
  fn: () => void | Promise<void>,
  waitMs: number,
  maxWaitMs = waitMs * 10,
  onError: (err: unknown) => void = () => undefined,
): Debounced {
  let timer: NodeJS.Timeout | undefined;
  let firstCallAt: number | undefined;
  let running: Promise<void> = Promise.resolve();

  const run = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    firstCallAt = undefined;
    running = running.then(() => fn()).catch(onError);
    return running;
  };

  const debounced = (() => {
    const now = Date.now();
    firstCallAt ??= now;
    if (timer) clearTimeout(timer);
    const remainingMax = firstCallAt + maxWaitMs - now;
    timer = setTimeout(() => void run(), Math.max(0, Math.min(waitMs, remainingMax)));
  }) as Debounced;
  debounced.flush = () => (timer ? run() : running);
  debounced.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    firstCallAt = undefined;
  };
  return debounced;
}
