/**
 * `work`'s result, or undefined once `ms` passed first. The timer does not keep the process alive,
 * and a rejection that comes after the deadline is dropped (nobody awaits it any more; unhandled,
 * it would end the process).
 */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
