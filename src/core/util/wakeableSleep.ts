/**
 * A sleep that can be cut short, and that takes its timer with it when it is: a plain
 * `Promise.race([work, sleep(60_000)])` leaves the timer running after the race is decided, and a
 * pending timer keeps a Node process alive (a server asked to stop lingered for up to a minute).
 */
export interface WakeableSleep {
  /** Resolves when the time is up or `wake()` was called, whichever comes first. */
  readonly done: Promise<void>;
  /** Ends the sleep now (and clears its timer); harmless after it ended. */
  wake(): void;
}

export function wakeableSleep(ms: number): WakeableSleep {
  let timer: NodeJS.Timeout | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
    timer = setTimeout(resolve, Math.max(0, ms));
  });
  return {
    done,
    wake: () => {
      clearTimeout(timer);
      resolveDone();
    },
  };
}

/** Waits for `work` at most `ms`; the timer is cleared as soon as `work` settles. */
export async function raceWithTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  const sleep = wakeableSleep(ms);
  try {
    await Promise.race([work, sleep.done]);
  } finally {
    sleep.wake();
  }
}
