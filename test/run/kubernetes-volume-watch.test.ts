/**
 * A pod-like run: a Secret volume laid out as the kubelet lays it out, updated by the kubelet's
 * `..data` symlink swap while `hush run --watch` runs; the child restarts with the new value,
 * and never with half of an update.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { buildCli, NODE, readIfThere, RUN_CHILD, startHush, waitFor } from "../helpers/run-binary.js";
import { writeKubeletPayload } from "../helpers/kubelet-volume.mjs";

let cli: string;
let cleanupCli: () => void;

beforeAll(() => {
  ({ cli, cleanup: cleanupCli } = buildCli());
});

afterAll(() => cleanupCli?.());

describe("hush run --watch on a mounted Secret volume (type: kubernetes)", () => {
  it("restarts the child with the new value after the kubelet swaps ..data", async () => {
    const project = mkdtempSync(join(tmpdir(), "hush-pod-"));
    try {
      const mount = join(project, "etc-secrets"); // stands for /etc/secrets
      const first = `first-${randomBytes(8).toString("hex")}`;
      const second = `second-${randomBytes(8).toString("hex")}`;
      writeKubeletPayload(mount, { OPENAI_API_KEY: first, other: "x" });
      writeFileSync(join(project, "hush.yaml"), `version: 1\nsources:\n  - type: kubernetes\n    options: { dir: ${mount} }\n`);
      const out = join(project, "seen.txt");
      const hush = startHush(cli, ["run", "--watch", "--", NODE, RUN_CHILD, "record", "OPENAI_API_KEY", out], { cwd: project });
      await waitFor(() => (readIfThere(out) === `${first}\n` ? true : undefined), "first child");
      writeKubeletPayload(mount, { OPENAI_API_KEY: second, other: "y" });
      await waitFor(() => (readIfThere(out) === `${first}\n${second}\n` ? true : undefined), "restarted child with the new value");
      hush.child.kill("SIGTERM");
      const r = await hush.done;
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/secrets changed; restarting the child/);
      expect(r.stderr + r.stdout).not.toContain(first);
      expect(r.stderr + r.stdout).not.toContain(second);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
