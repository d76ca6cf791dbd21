// The `tls-certificate` rotator: conformance with an openssl `create` command, expiry from the
// PEM, refusal of a certificate that is not newer, and `hush rotate --due` N days before expiry.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rotatorConformance } from "./conformance/suite.js";
import { certificateExpiry, createTlsCertificateRotator } from "../../src/rotation/tls-certificate.js";
import { createLocalSource } from "../../src/sources/local.js";
import { rotateDue } from "../../src/workflows/rotate-due.js";
import { HushError } from "../../src/errors.js";
import { reviewProjectAccess } from "../../src/audit/project-audit.js";

/** A shell command printing a self-signed certificate valid for `days` (key discarded). */
const issue = (days: number) => `d=$(mktemp -d) && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/k" -out "$d/c" -days ${days} -subj /CN=test 2>/dev/null && cat "$d/c" && rm -rf "$d"`;
const pemFor = (days: number) => execFileSync("sh", ["-c", issue(days)], { encoding: "utf8" });

rotatorConformance({
  type: "tls-certificate",
  config: () => ({ type: "tls-certificate", options: { create: issue(90), set: "cat > installed.pem" } }),
  failing: (_dir, step) => {
    const ok = { create: issue(90), set: "cat > installed.pem", test: "openssl x509 -noout -checkend 0" };
    return { config: { type: "tls-certificate", options: { ...ok, [step]: step === "create" ? "echo not-a-certificate" : "cat > /dev/null; exit 2" } }, healed: { type: "tls-certificate", options: ok } };
  },
  afterRotation: (dir, newValue) => {
    expect(readFileSync(join(dir, "installed.pem"), "utf8")).toBe(newValue);
    expect(certificateExpiry(newValue, "x").getTime()).toBeGreaterThan(Date.now() + 80 * 86_400_000);
  },
});

describe("tls-certificate rotator", () => {
  it("reads the expiry from the PEM, and refuses a new certificate that does not expire later", async () => {
    const soon = pemFor(5);
    expect(Math.round((certificateExpiry(soon, "c").getTime() - Date.now()) / 86_400_000)).toBe(5);
    const r = createTlsCertificateRotator({ create: issue(2), renewDays: 30, timeoutSeconds: 30 }, { name: "c", root: tmpdir() });
    const e = (await r.create(soon).catch((x: unknown) => x)) as HushError;
    expect(e.code).toBe("INVALID_VALUE");
    expect(e.message).toContain("no later than the current one");
  });

  it("hush rotate --due rotates a certificate renewDays before its expiry, not earlier", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-tls-due-"));
    try {
      writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n  - type: local\nsecrets:\n  api_cert:\n    type: tls-certificate\n    rotator: { type: tls-certificate, renewDays: 10, create: '${issue(90)}' }\n`);
      const local = createLocalSource({ secretsDir: join(dir, ".secrets") });
      await local.set("api_cert", pemFor(20));
      expect(await rotateDue({ cwd: dir })).toMatchObject({ rotated: [], stillDue: [] });
      await local.set("api_cert", pemFor(5));
      const review = await reviewProjectAccess({ cwd: dir });
      expect(review.certificatesExpiring).toEqual([expect.objectContaining({ name: "api_cert", renewDays: 10 })]);
      expect(review.certificatesExpiring![0]!.daysLeft).toBeLessThanOrEqual(5);
      const r = await rotateDue({ cwd: dir, graceMs: 0 });
      expect(r.rotated).toEqual([{ name: "api_cert", version: 3 }]);
      expect(certificateExpiry((await local.get("api_cert"))!.value, "c").getTime()).toBeGreaterThan(Date.now() + 80 * 86_400_000);
      expect((await reviewProjectAccess({ cwd: dir })).certificatesExpiring).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
