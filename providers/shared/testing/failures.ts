// Provider specs check the exact error a call or a check failed with. Getting at it is the same for every
// provider and framework-free (no test runner import), so it can live beside the emulators: the error when it is
// of the expected class, and a failing throw otherwise, so a wrong error is never mistaken for the right one.

/** A class to check errors against; abstract classes count. */
export type ErrorClass<E> = abstract new (...args: never[]) => E;

/** The error `run` threw, checked to be a `type`; throws if it returned or threw anything else. */
export function thrown<E>(run: () => unknown, type: ErrorClass<E>): E {
  try {
    run();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error('expected it to throw, but it returned');
}

/** The error `promise` rejected with, checked to be a `type`; rejects if it resolved or rejected otherwise. */
export async function rejection<E>(promise: Promise<unknown>, type: ErrorClass<E>): Promise<E> {
  const outcome = await promise.then(
    () => new Error('expected the call to fail, but it succeeded'),
    (err: unknown) => err,
  );
  if (!(outcome instanceof type)) throw outcome;
  return outcome;
}
