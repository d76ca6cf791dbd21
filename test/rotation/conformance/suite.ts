/**
 * The rotator conformance suite: every rotator's test file runs it with a way to configure the
 * rotator (succeeding, or failing at a given step). On a local-store project it checks:
 * - a rotation makes a new current value and keeps the old as previous;
 * - the new and the old value appear in no output: progress, the result, errors, the audit log;
 * - a failure at each step the rotator has leaves `current` untouched, names the step, keeps the
 *   pending version, and `--resume` then finishes the rotation.
 * A step the rotator does not have is skipped with the reason, never tested more weakly.
 */
import { describe, expect, it, afterEach } from "vitest";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalSource } from "../../../src/sources/local.js";
import { rotateSecret, type RotateResult } from "../../../src/workflows/rotate.js";
import { HushError } from "../../../src/errors.js";
import type { RotatorConfig } from "../../../src/config/types.js";

/** What a rotator's test file gives the suite. */
export interface RotatorCase {
  type: string;
  /** The rotator config for a rotation that succeeds, in project folder `dir`. */
  config(dir: string): RotatorConfig;
  /** A config that fails at `step`, and one (`healed`) that then succeeds; undefined: the rotator has no such step. */
  failing(dir: string, step: "create" | "set" | "test"): { config: RotatorConfig; healed: RotatorConfig } | undefined;
  /** Reads a value the person would type (llm-key). */
  readSecret?: (question: string) => Promise<string>;
  /** Extra environment for the rotator (base URLs of fakes). */
  env?: NodeJS.ProcessEnv;
  /** Checks after a successful rotation (the target got the new value). */
  afterRotation?(dir: string, newValue: string, oldValue: string): void;
}

export const OLD_VALUE = ["old-", "canary-", "Zq8Xw2Lp"].join("");

/** Runs the suite for one rotator. */
export function rotatorConformance(c: RotatorCase): void {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  async function project() {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), `hush-rot-${c.type}-`)));
    dirs.push(dir);
    writeFileSync(join(dir, "hush.yaml"), "version: 1\nsources:\n  - type: local\n");
    const local = createLocalSource({ secretsDir: join(dir, ".secrets") });
    await local.set("api_token", OLD_VALUE);
    return { dir, local };
  }
  const progress: string[] = [];
  const rotate = (dir: string, config: RotatorConfig, more: { resume?: boolean } = {}) =>
    rotateSecret({ cwd: dir, name: "api_token", rotator: config, graceMs: 0, env: { ...process.env, ...c.env }, readSecret: c.readSecret, onProgress: (m) => progress.push(m), onWarning: (m) => progress.push(m), ...more });

  function expectNoValue(dir: string, values: string[], ...texts: string[]) {
    const audit = join(dir, ".secrets", "audit.dev.jsonl");
    const all = [...texts, ...progress, existsSync(audit) ? readFileSync(audit, "utf8") : ""].join("\n");
    for (const v of values) expect(all.includes(v), "a value leaked into an output").toBe(false);
  }

  describe(`rotator conformance: ${c.type}`, () => {
    it("rotates: a new current value, the old one previous, no value in any output", async () => {
      const { dir, local } = await project();
      progress.length = 0;
      const result: RotateResult = await rotate(dir, c.config(dir));
      const now = await local.get("api_token");
      expect(now?.value).not.toBe(OLD_VALUE);
      expect(result).toMatchObject({ version: 2, previousVersion: 1, rotator: c.type });
      expect((await local.versions("api_token")).map((v) => v.labels)).toEqual([["current"], ["previous"]]);
      c.afterRotation?.(dir, now!.value, OLD_VALUE);
      const audit = readFileSync(join(dir, ".secrets", "audit.dev.jsonl"), "utf8");
      expect(audit).toContain('"action":"rotate-create"');
      expect(audit).toContain('"action":"rotate-finish"');
      expectNoValue(dir, [OLD_VALUE, now!.value], JSON.stringify(result));
    });

    for (const step of ["create", "set", "test"] as const) {
      it(`a failure at step ${step} leaves current untouched, names the step, and --resume finishes`, async (ctx) => {
        const { dir, local } = await project();
        const failing = c.failing(dir, step);
        if (!failing) return ctx.skip(`the ${c.type} rotator has no ${step} step that can fail`);
        progress.length = 0;
        const e = await rotate(dir, failing.config).then(
          () => undefined,
          (x: unknown) => x,
        );
        expect(e).toBeInstanceOf(HushError);
        expect((e as HushError).code).toBe("ROTATION_FAILED");
        expect((e as HushError).message).toContain(`step "${step}"`);
        expect((await local.get("api_token"))?.value).toBe(OLD_VALUE);
        const pending = await local.getPending("api_token");
        expectNoValue(dir, [OLD_VALUE, ...(pending ? [pending.value] : [])], String(e), JSON.stringify(e), (e as HushError).hint);
        if (step === "create") {
          expect(pending).toBeUndefined();
          return;
        }
        expect(pending).toBeDefined();
        const again = await rotate(dir, failing.config).catch((x: unknown) => x);
        expect((again as HushError).code, "a second rotation is refused while one is pending").toBe("ROTATION_IN_PROGRESS");
        const resumed = await rotate(dir, failing.healed, { resume: true });
        expect(resumed).toMatchObject({ resumed: true, version: pending!.version });
        expect((await local.get("api_token"))?.value).toBe(pending!.value);
      });
    }
  });
}
