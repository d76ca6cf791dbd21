/**
 * SIGKILL in the middle of a rotation, then `--resume` (issue 16): a child process rotates with a
 * `set` step that hangs; the parent kills it with SIGKILL once the pending version is stored and
 * the step has started, then checks that `current` is untouched and the pending version survived,
 * that a new rotation is refused, and that a resume finishes with the value the child created.
 * On the local store, the PostgreSQL source and the aws source (the Secrets Manager fake, through
 * the real SDK; the child gets the fake's endpoint from hush.yaml and test credentials from its
 * environment), and the vault source (the Vault fake; VAULT_TOKEN from the environment too).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { REPO_ROOT } from "../helpers/bundle.js";
import { rotateSecret } from "../../src/workflows/rotate.js";
import { HushError } from "../../src/errors.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { migrateSchema } from "../../src/sources/postgres/migrate.js";
import { createAdmin, TEST_DATABASE_URL } from "../helpers/postgres.js";
import { startAwsSecretsManagerFake, type AwsSecretsManagerFake } from "../fakes/aws-secrets-manager.js";
import { startVaultFake, type VaultFake } from "../fakes/vault.js";
import { withSource } from "../helpers/project-source.js";

const OLD = ["old-", "crash-canary-", "9Qw"].join("");
let root: string;
let child: string;
const admin = createAdmin();
const schema = admin.schema();
const AWS_ENV: Record<string, string> = { AWS_ACCESS_KEY_ID: "AKIDTESTFAKE0000AWS1", AWS_SECRET_ACCESS_KEY: "test-secret-access-key", AWS_EC2_METADATA_DISABLED: "true", AWS_REGION: "us-east-1" };
const savedEnv: Record<string, string | undefined> = {};
let aws: AwsSecretsManagerFake;
let vault: VaultFake;

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "hush-rot-crash-")));
  // Bundled with its packages external, into the repository's node_modules so they resolve (the
  // helper's bundleForChild inlines every package, and the cloud SDKs' optional ones do not bundle).
  child = join(REPO_ROOT, "node_modules", ".cache", "hush-test", `rotate-child-${process.pid}.mjs`);
  await build({ entryPoints: [join(REPO_ROOT, "test/helpers/rotate-child.ts")], bundle: true, packages: "external", platform: "node", format: "esm", target: "node20", outfile: child, logLevel: "warning" });
  await migrateSchema(admin.pool, schema);
  aws = await startAwsSecretsManagerFake();
  vault = await startVaultFake();
  AWS_ENV.VAULT_TOKEN = vault.rootToken;
  for (const [k, v] of Object.entries(AWS_ENV)) [savedEnv[k], process.env[k]] = [process.env[k], v]; // the child inherits them
}, 60_000);
afterAll(async () => {
  await aws.close();
  await vault.close();
  for (const k of Object.keys(AWS_ENV)) if (savedEnv[k] === undefined) delete process.env[k];
  else process.env[k] = savedEnv[k];
  rmSync(root, { recursive: true, force: true });
  rmSync(child, { force: true });
  await admin.end();
});

const SOURCES: Record<string, () => string> = {
  local: () => "  - type: local\n",
  postgres: () => `  - type: postgres\n    options: { url: "${TEST_DATABASE_URL}", schema: ${schema} }\n`,
  aws: () => `  - type: aws\n    options: { endpoint: "${aws.url}", path: "app/{env}" }\n`,
  vault: () => `  - type: vault\n    options: { address: "${vault.url}", path: app, rotation: true }\n`,
};

describe.each(Object.keys(SOURCES))("SIGKILL during a rotation, then --resume: %s", (kind) => {
  it("current untouched, pending kept, a new rotation refused, resume finishes with the child's value", async () => {
    const dir = join(root, kind);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    mkdirSync(join(dir, ".secrets"), { mode: 0o700 });
    writeFileSync(join(dir, ".secrets", ".encryption.key"), generateFernetKey(), { mode: 0o600 });
    writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n${SOURCES[kind]!()}`);
    await withSource(dir, (s) => s.set!("api_token", OLD));

    const proc = spawn(process.execPath, [child, dir], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    proc.stdout.on("data", (c: Buffer) => (output += c.toString()));
    proc.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on("exit", (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 30_000;
    while (!existsSync(join(dir, "set-started"))) {
      if (Date.now() > deadline) throw new Error(`the child never reached the set step: ${output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    proc.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(output).not.toContain("finished");

    const pending = await withSource(dir, async (s) => {
      expect((await s.get("api_token"))?.value, "current is untouched").toBe(OLD);
      return s.getPending!("api_token");
    });
    expect(pending?.version).toBe(2);
    const refused = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, rotator: { type: "random", options: {} } }).catch((e: unknown) => e);
    expect((refused as HushError).code).toBe("ROTATION_IN_PROGRESS");

    const resumed = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, resume: true, rotator: { type: "command", options: { set: "cat > /dev/null" } } });
    expect(resumed).toMatchObject({ resumed: true, version: 2, previousVersion: 1 });
    await withSource(dir, async (s) => {
      expect((await s.get("api_token"))?.value).toBe(pending!.value);
      expect(await s.getPending!("api_token")).toBeUndefined();
    });
    expect(output + JSON.stringify(resumed) + String(refused)).not.toContain(OLD);
    expect(output + JSON.stringify(resumed) + String(refused)).not.toContain(pending!.value);
  }, 60_000);
});

