/**
 * The built CLI with an `aws` source in hush.yaml, against the Secrets Manager fake: `hush run`
 * injects the values (and nothing of the SDK's: no Node-version notice on stderr, no SDK switch in
 * the child's environment), `hush get` prints one, and a denied read is exit 8 with no value in
 * any output. dist/cli.js runs in place (built once by test/global-setup.ts), so that
 * `import("@aws-sdk/client-secrets-manager")` resolves from the repository's node_modules.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { REPO, runHushBinary } from "../helpers/run-binary.js";
import { startAwsSecretsManagerFake, type AwsSecretsManagerFake } from "../fakes/aws-secrets-manager.js";

const CLI = join(REPO, "dist/cli.js");
let fake: AwsSecretsManagerFake;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fake = await startAwsSecretsManagerFake();
  dir = mkdtempSync(join(tmpdir(), "hush-aws-cli-"));
  writeFileSync(join(dir, "hush.yaml"), `version: 1\naudit: off\nsources:\n  - type: aws\n    options: { endpoint: "${fake.url}", path: "app/{env}", region: us-east-1, timeout: 2s }\n`);
  fake.put("app/dev/openai_api_key", "sk-proj-CANARY-aws-cli-0123456789");
  fake.put("app/dev/db_password", "pw-CANARY-aws-cli");
  env = { PATH: process.env.PATH, HOME: dir, AWS_ACCESS_KEY_ID: "AKIDTESTFAKE0000CLI1", AWS_SECRET_ACCESS_KEY: "test-secret", AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" };
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("hush with an aws source (built CLI)", () => {
  it("hush run injects the AWS values; stderr stays quiet; the SDK's switch does not reach the child", async () => {
    const probe = "console.log(JSON.stringify([process.env.OPENAI_API_KEY, process.env.DB_PASSWORD, process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? null]))";
    const r = await runHushBinary(CLI, ["run", "--", process.execPath, "-e", probe], { cwd: dir, env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(["sk-proj-CANARY-aws-cli-0123456789", "pw-CANARY-aws-cli", null]);
    expect(fake.server.calls("BatchGetSecretValue")).toBeGreaterThan(0);
  });

  it("hush get prints one value; a denied read is exit 8 naming the secret, never its value", async () => {
    const ok = await runHushBinary(CLI, ["get", "db_password"], { cwd: dir, env });
    expect(ok.stdout.trim()).toBe("pw-CANARY-aws-cli");
    fake.deny.add("app/dev/db_password");
    const denied = await runHushBinary(CLI, ["get", "db_password"], { cwd: dir, env });
    expect(denied.code).toBe(8);
    expect(denied.stderr).toMatch(/refused|denied/i);
    expect(denied.stdout + denied.stderr).not.toContain("CANARY");
  });
});

describe("a project without an aws source never loads the AWS SDK", () => {
  it("hush run, get and --help with a resolve hook that refuses @aws-sdk/*", () => {
    const project = mkdtempSync(join(tmpdir(), "hush-no-aws-"));
    try {
      // A module hook (node:module register) that fails any import of an @aws-sdk package.
      const hooks = join(project, "hooks.mjs");
      writeFileSync(hooks, 'export async function resolve(s, c, next) { if (s.startsWith("@aws-sdk/")) throw new Error("AWS SDK loaded: " + s); return next(s, c); }\n');
      const register = join(project, "register.mjs");
      writeFileSync(register, `import { register } from "node:module"; register(${JSON.stringify(`file://${hooks}`)});\n`);
      const hush = (args: string[], input?: string) => spawnSync(process.execPath, ["--import", register, CLI, ...args], { cwd: project, env: { PATH: process.env.PATH, HOME: project }, input, encoding: "utf8" });
      expect(hush(["set", "plain_key"], "local-value").status).toBe(0);
      const run = hush(["run", "--", process.execPath, "-e", "process.exit(process.env.PLAIN_KEY === 'local-value' ? 0 : 9)"]);
      expect(run.stderr).not.toContain("AWS SDK loaded");
      expect(run.status).toBe(0);
      expect(hush(["get", "plain_key"]).stdout.trim()).toBe("local-value");
      expect(hush(["--help"]).status).toBe(0);
      // The hook does catch an import: the same project with an aws source fails on it.
      writeFileSync(join(project, "hush.yaml"), "version: 1\nsources:\n  - type: aws\n    options: { region: us-east-1 }\n");
      const withAws = hush(["get", "plain_key"]);
      expect(withAws.status).not.toBe(0);
      expect(withAws.stderr).toContain("npm install @aws-sdk/client-secrets-manager");
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

