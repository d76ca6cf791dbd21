// The `command` rotator: conformance, plus the value reaching the scripts on stdin only.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { rotatorConformance } from "./conformance/suite.js";
import { createCommandRotator } from "../../src/rotation/command.js";

/** A script that records its stdin, argv and environment into files under `dir/out`. */
function recorder(dir: string): string {
  const path = join(dir, "record.sh");
  writeFileSync(path, '#!/bin/sh\ncat > "$HUSH_ROTATE_STEP.stdin"\necho "$@" > "$HUSH_ROTATE_STEP.argv"\nenv > "$HUSH_ROTATE_STEP.env"\n');
  chmodSync(path, 0o700);
  return path;
}

rotatorConformance({
  type: "command",
  config: (dir) => ({ type: "command", options: { set: recorder(dir), test: recorder(dir), revoke: recorder(dir) } }),
  failing: (dir, step) => {
    const ok = recorder(dir);
    const base = { set: ok, test: ok, revoke: ok };
    return { config: { type: "command", options: { ...base, [step]: "cat >/dev/null; exit 3" } }, healed: { type: "command", options: base } };
  },
  afterRotation: (dir, newValue, oldValue) => {
    expect(readFileSync(join(dir, "set.stdin"), "utf8")).toBe(newValue);
    expect(readFileSync(join(dir, "test.stdin"), "utf8")).toBe(newValue);
    expect(readFileSync(join(dir, "revoke.stdin"), "utf8"), "revoke gets the old value").toBe(oldValue);
    for (const step of ["set", "test", "revoke"]) {
      const seen = readFileSync(join(dir, `${step}.argv`), "utf8") + readFileSync(join(dir, `${step}.env`), "utf8");
      expect(seen.includes(newValue) || seen.includes(oldValue), `a value in the ${step} command's argv or env`).toBe(false);
    }
  },
});

describe("command rotator: create", () => {
  it("takes the new value from the create command's stdout, without its trailing newline", async () => {
    const r = createCommandRotator({ create: "printf 'made-by-script\\n'", timeoutSeconds: 10 }, { name: "x", root: process.cwd() });
    expect(await r.create(undefined)).toBe("made-by-script");
  });
});
