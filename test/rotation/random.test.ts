// The `random` rotator: conformance (it has no set/test step: those cases are skipped with the reason), length and alphabet.
import { describe, expect, it } from "vitest";
import { rotatorConformance } from "./conformance/suite.js";
import { createRandomRotator } from "../../src/rotation/random.js";

rotatorConformance({
  type: "random",
  config: () => ({ type: "random", options: { length: 48 } }),
  failing: () => undefined,
  afterRotation: (_dir, newValue) => expect(newValue).toMatch(/^[A-Za-z0-9]{48}$/),
});

describe("random rotator", () => {
  it("draws `length` characters of the alphabet, a different value each time", async () => {
    const hex = createRandomRotator({ length: 64, alphabet: "hex" });
    const a = await hex.create(undefined);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await hex.create(undefined)).not.toBe(a);
    expect(await createRandomRotator({ length: 20, alphabet: "base64url" }).create(undefined)).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await createRandomRotator({ length: 30, alphabet: "ascii" }).create(undefined)).toMatch(/^[!-~]{30}$/);
  });
});
