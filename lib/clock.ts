/**
 * The clock the stack program reads (bootstrap token rotation). `pulumi up` uses the real one; the
 * offline runtime sets it from RunOptions.now before it loads the program, so a plan made "at" a
 * given moment is reproducible.
 */
let clock: () => Date = () => new Date();

export function programNow(): Date {
  return clock();
}

export function setProgramClock(c: () => Date): void {
  clock = c;
}
