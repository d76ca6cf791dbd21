/**
 * Without @kubernetes/client-node installed, the kubernetes source's API mode is a
 * MISSING_DEPENDENCY naming the install command, never "not found"; the volume mode and a local
 * project never load it. The built CLI is copied to a temp folder with no node_modules above it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildCli, runHushBinary } from "../helpers/run-binary.js";
import { writeKubeletPayload } from "../helpers/kubelet-volume.mjs";
import { EXIT_CODES } from "../../src/cli/exit-codes.js";

let cli: string;
let cleanupCli: () => void;
let project: string;

beforeAll(() => {
  ({ cli, cleanup: cleanupCli } = buildCli());
  project = mkdtempSync(join(tmpdir(), "hush-no-k8s-sdk-"));
});
afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  cleanupCli?.();
});

describe("kubernetes source without @kubernetes/client-node", () => {
  it("API mode: MISSING_DEPENDENCY with `npm install @kubernetes/client-node`", async () => {
    writeFileSync(join(project, "token"), "t");
    writeFileSync(join(project, "hush.yaml"), `version: 1\nsources:\n  - type: kubernetes\n    options: { server: "https://127.0.0.1:9", tokenFile: ${join(project, "token")}, namespace: x }\n`);
    const r = await runHushBinary(cli, ["get", "openai_api_key"], { cwd: project });
    expect(r.stderr).toContain("npm install @kubernetes/client-node");
    expect(r.code).toBe(EXIT_CODES.MISSING_DEPENDENCY);
  });

  it("volume mode needs no SDK", async () => {
    writeKubeletPayload(join(project, "mount"), { openai_api_key: "sk-from-volume" });
    writeFileSync(join(project, "hush.yaml"), `version: 1\nsources:\n  - type: kubernetes\n    options: { dir: ${join(project, "mount")} }\n`);
    const r = await runHushBinary(cli, ["get", "openai_api_key"], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("sk-from-volume");
  });
});
