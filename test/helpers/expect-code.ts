/**
 * `await expectCode(promise, "CODE", [values])`: the promise rejects with a HushError of that code,
 * and none of `values` is in its message, hint, JSON or stack (every failure-path test checks that
 * no value leaked).
 */
import { expect } from "vitest";
import { HushError, type HushErrorCode } from "../../src/errors.js";

export async function expectCode(p: Promise<unknown>, code: HushErrorCode, values: readonly string[]): Promise<HushError> {
  const e = await p.then(
    () => expect.unreachable("it must throw"),
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HushError);
  expect((e as HushError).code).toBe(code);
  const text = `${String(e)} ${(e as HushError).hint ?? ""} ${JSON.stringify(e)} ${(e as Error).stack ?? ""}`;
  for (const value of values) expect(text, "a value leaked into the error").not.toContain(value);
  return e as HushError;
}
