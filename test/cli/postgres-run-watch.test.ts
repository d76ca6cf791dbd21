// `hush run --watch` over the postgres source, through the real binary: a write from another
// process reaches the run through NOTIFY/LISTEN and restarts the child once, with the new value.
// The write comes as soon as the first child has printed, maybe before the run's listener is in
// place: the run re-reads once it is, so the change is not lost (no pause in this test).
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { NODE, REPO, startHush, waitFor } from "../helpers/run-binary.js";
import { createAdmin, TEST_DATABASE_URL } from "../helpers/postgres.js";

const admin = createAdmin();
const dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-pg-watch-")));
afterAll(async () => {
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});
const env = { PATH: process.env.PATH, HOME: dir, HUSH_DATABASE_URL: TEST_DATABASE_URL };

describe("hush run --watch with postgres", () => {
  it("restarts the child once with the value another process wrote", async () => {
    const schema = admin.schema();
    writeFileSync(join(dir, "hush.yaml"), `version: 1\naudit: off\nsources:\n  - type: postgres\n    options: { schema: ${schema} }\n`);
    expect((await runHush(["--cwd", dir, "init"], { env })).code).toBe(0);
    expect((await runHush(["--cwd", dir, "db", "migrate"], { env })).code).toBe(0);
    expect((await runHush(["--cwd", dir, "set", "api_key"], { env, stdin: "value-one" })).code).toBe(0);
    const run = startHush(join(REPO, "dist/cli.js"), ["run", "--watch", "--", NODE, "-e", "console.log('v=' + process.env.API_KEY); setInterval(() => {}, 1000)"], { cwd: dir, env });
    let out = "";
    run.child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    try {
      await waitFor(() => (out.includes("v=value-one") ? true : undefined), "the first child");
      expect((await runHush(["--cwd", dir, "set", "api_key"], { env, stdin: "value-two" })).code).toBe(0);
      await waitFor(() => (out.includes("v=value-two") ? true : undefined), "the restarted child");
      // A third write, awaited, instead of a pause: a storm of restarts for the second write would
      // show as more children before this one.
      expect((await runHush(["--cwd", dir, "set", "api_key"], { env, stdin: "value-three" })).code).toBe(0);
      await waitFor(() => (out.includes("v=value-three") ? true : undefined), "the child restarted again");
      expect(out.match(/v=/g)?.length, `one restart per write, not a storm: ${run.stderrSoFar()}`).toBe(3);
    } finally {
      run.child.kill("SIGTERM");
      await run.done;
    }
  });
});
