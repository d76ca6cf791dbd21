/**
 * Consumers pick up a rotation, and none runs on a revoked value once the grace period is over
 * (issue 16). A fake target keeps the valid credentials in `valid.txt` (the `command` rotator's
 * set adds the new one, revoke removes the old one); a consumer holds the value its manager's
 * `onChange` last gave it. The rotation finishes with a grace period; the consumer must switch
 * before the revoke, and after `rotateDue` performs the revoke its value must still be valid.
 */
import { afterEach, expect, it } from "vitest";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalSource } from "../../src/sources/local.js";
import { openConfiguredManager } from "../../src/config/open.js";
import { rotateSecret } from "../../src/workflows/rotate.js";
import { rotateDue } from "../../src/workflows/rotate-due.js";

const OLD = ["old-", "consumer-", "canary-", "Tz9"].join("");
const GRACE_MS = 10 * 60_000;
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const valid = () => readFileSync(join(dir, "valid.txt"), "utf8").split("\n").filter(Boolean);

it("the consumer switches at finish, before the revoke; after the grace period it never holds a revoked value", async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-consumers-")));
  writeFileSync(join(dir, "valid.txt"), `${OLD}\n`);
  const rotator = "{ type: command, set: 'cat >> valid.txt; echo >> valid.txt', revoke: 'grep -vxF -f - valid.txt > v.tmp && mv v.tmp valid.txt' }";
  writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n  - type: local\nsecrets:\n  db_password:\n    rotator: ${rotator}\n`);
  await createLocalSource({ secretsDir: join(dir, ".secrets") }).set("db_password", OLD);

  const { manager } = await openConfiguredManager({ cwd: dir });
  let inUse = (await manager.get("db_password"))!;
  const switches: number[] = [];
  const stop = manager.onChange("db_password", (record) => {
    inUse = record!.value;
    switches.push(Date.now());
  });
  try {
    // No pause for onChange's baseline: it is the value get() just served. The grace period is
    // long and the revoke runs on rotateDue's clock, so a slow machine cannot make the consumer
    // miss it (an 800 ms grace on the wall clock did).
    const result = await rotateSecret({ cwd: dir, name: "db_password", graceMs: GRACE_MS });
    expect(result.revoke).toBe("due");
    expect(valid(), "during the grace period both values are valid").toHaveLength(2);
    const deadline = Date.now() + 20_000;
    while (switches.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(switches.length, "the consumer was told of the rotation").toBe(1);
    expect(inUse).not.toBe(OLD);
    expect(switches[0]).toBeLessThan(result.revokeDueAt!.getTime()); // switched within the grace period

    const early = await rotateDue({ cwd: dir, now: () => new Date(result.revokeDueAt!.getTime() - 1) });
    expect(early.revoked, "not revoked before the grace period ends").toEqual([]);
    expect(valid()).toContain(OLD);
    const due = await rotateDue({ cwd: dir, now: () => new Date(result.revokeDueAt!.getTime() + 1) });
    expect(due.revoked).toEqual([{ name: "db_password", version: 1 }]);
    expect(valid(), "the old value is revoked").not.toContain(OLD);
    expect(valid(), "the consumer's value is valid after the grace period").toContain(inUse);
  } finally {
    stop();
    await manager.dispose();
  }
}, 30_000);
