// A program can do what the CLI does, through the public entry only: the workflows behind
// `hush init|check|doctor|env-example|export|scan|hook|audit`, with typed options and results.
// Also pins the public surface, so a name is added to it (or removed) on purpose.
import { afterEach, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as hush from "../../src/index.js";
import type { Mapped } from "../../src/cli/flags.js";

const CANARY = "sk-canary-public-7Hq2Zp9Xw4Lm8Rt6Yv3Nb5Kd";
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(yaml: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-api-")));
  dirs.push(dir);
  writeFileSync(join(dir, "hush.yaml"), yaml);
  return dir;
}

const YAML = "version: 1\nsecrets:\n  openai_api_key: { required: true, type: llm-api-key, owner: platform, description: agent key }\n  database_url: { required: true, type: database-password }\n";

describe("the public API runs every workflow of the CLI", () => {
  it("init, set, check, doctor, env-example, export, scan, audit: names and codes, never a value where none was asked", async () => {
    const dir = project(YAML);
    const warnings: string[] = [];
    const base = { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME }, onWarning: (m: string) => warnings.push(m) };
    const init = await hush.initProject(base);
    expect(init.created).toEqual({ secretsDir: true, key: true, config: false });

    const { manager } = await hush.openConfiguredManager(base);
    await manager.set("openai_api_key", CANARY);
    await manager.dispose();

    const check = await hush.checkRequired(base);
    expect(check).toMatchObject({ ok: false, environment: "dev", errors: [] });
    expect(check.missing.map((m) => m.envName)).toEqual(["DATABASE_URL"]);

    const report = await hush.diagnoseProject(base);
    expect(report.ok).toBe(false);
    expect(report.required).toEqual({ declared: 2, missing: ["DATABASE_URL"] });

    const example = await hush.writeEnvExample({ ...base, dryRun: true });
    expect(example).toMatchObject({ path: join(dir, ".env.example"), changed: true, written: false, names: ["OPENAI_API_KEY", "DATABASE_URL"] });
    expect(existsSync(example.path)).toBe(false);

    const opened = await hush.openConfiguredManager(base);
    try {
      const exported = await hush.exportSecrets(opened.manager, { format: "json", only: ["openai_api_key"], strict: true });
      expect(JSON.parse(exported.text)).toEqual({ OPENAI_API_KEY: CANARY });
      await expect(hush.exportSecrets(opened.manager, { only: ["database_url"], strict: true })).rejects.toMatchObject({ code: "NOT_FOUND" });
    } finally {
      await opened.manager.dispose();
    }

    writeFileSync(join(dir, "leak.txt"), `key = ${CANARY}\n`);
    const scanned = await hush.scanProject({ ...base, paths: ["leak.txt"] });
    expect(scanned.findings.map((f) => [f.path, f.kind, f.secretName])).toContainEqual(["leak.txt", "managed", "openai_api_key"]);
    expect(JSON.stringify(scanned)).not.toContain(CANARY);

    const log = [];
    for await (const r of hush.readProjectAuditLog({ ...base, secret: "OPENAI_API_KEY" })) log.push(r);
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((r) => r.name === "openai_api_key")).toBe(true);
    const rows = await hush.reportProjectAccess(base);
    expect(rows.find((r) => r.name === "openai_api_key")?.writes).toBe(1);
    const verified = await hush.verifyProjectAuditLog(base);
    expect(verified).toMatchObject({ ok: true, environment: "dev", anchorKeyMissing: false });
    const review = await hush.reviewProjectAccess({ ...base, days: 30 });
    expect(review.rotationUnknown).toEqual([{ name: "database_url", type: "database-password", policyDays: 30 }]);
    expect(hush.formatReviewMarkdown(review)).toMatch(/^# Access review /);
    for (const text of [JSON.stringify({ check, report, log, rows, verified, review }), readFileSync(verified.path, "utf8"), ...warnings]) expect(text).not.toContain(CANARY);
  });

  it("installHook / uninstallHook in a git work tree", () => {
    const dir = project("version: 1\n");
    execFileSync("git", ["init", "-q"], { cwd: dir });
    // The hook must be able to run hush (install checks it): here, the built CLI by absolute path.
    const installed = hush.installHook({ cwd: dir, self: [process.execPath, fileURLToPath(new URL("../../dist/cli.js", import.meta.url))] });
    expect(installed.message).toMatch(/pre-commit hook installed/);
    expect(readFileSync(installed.path, "utf8")).toContain("scan --staged");
    expect(() => hush.installHook({ cwd: dir, command: "hush; rm -rf /" })).toThrow(hush.HushError);
    expect(hush.uninstallHook({ cwd: dir }).message).toMatch(/removed/);
    expect(existsSync(installed.path)).toBe(false);
  });
});

describe("typed flags", () => {
  it("a command must map every option of the library call it makes", () => {
    // @ts-expect-error `dryRun` is not mapped: a new library option does not compile until the CLI maps it.
    const unmapped: Mapped<hush.WriteEnvExampleOptions> = { cwd: undefined, environment: undefined, secretsDir: undefined, env: undefined, onWarning: undefined, loaded: undefined, output: undefined };
    const mapped: Mapped<hush.WriteEnvExampleOptions> = { ...unmapped, dryRun: undefined };
    expect(Object.keys(mapped)).toHaveLength(8);
  });
});

describe("the public surface", () => {
  it("is what a user needs, and changes on purpose", () => {
    expect(Object.keys(hush).sort()).toEqual([
      "CLEAN_ENV_VARIABLES", "CONFIG_FILE", "DEFAULT_GRACE_MS", "DEFAULT_MAX_REQUEST_BYTES", "ERROR_CODES", "EXPORT_FORMATS", "HushError", "MANIFEST_FORMATS", "PATTERN_RULES", "PROVIDERS", "ROTATION_STEPS", "SEALING_SCOPES", "SEVERITIES", "STORE_TYPES", "VERSION",
      "adapterConfig", "addProjectMember", "attachAudit", "buildAccessReport", "buildChildEnv", "canonicalName", "checkConfig", "checkKeyFormat",
      "checkRequired", "closeIncident", "copySecrets", "createAuditor", "createAwsSource", "createDotenvSource", "createEnvSource", "createGcpSource",
      "createJsonlSink", "createKubernetesSource", "createLocalSource", "createMallkuSource", "createMcpServer", "createPostgresRoleRotator", "createPostgresSource",
      "createRedactStream", "createSecretIdMapper", "createSecretsManager", "createStderrSink", "createUnreadableTally", "createVaultSource", "databaseStatus",
      "defineKeyProviderType", "defineRotatorType", "defineSourceType", "deriveAuditKeys", "describeUnreadableLines", "destroySecret", "diagnoseProject", "diffSources", "discardPendingRotation",
      "envName", "exportEnvironmentKey", "exportManifest", "exportSecrets", "fernetDecrypt", "fernetEncrypt", "findCollisions", "findConfigFile",
      "findKeyProviderType", "findProvider", "findRotatorType", "findSourceType", "formatAccessReport", "formatReviewMarkdown", "formatReviewText",
      "formatWarningFor", "generateFernetKey", "generateMemberIdentity", "getSecret", "grantDatabaseAccess", "hintFor", "importEnvironmentKey",
      "importSecrets", "initProject", "injectAdapterSecrets", "installHook", "isHushError", "jsonlLogPath", "keyLookupNames", "listGatewayRoutes", "listIncidents",
      "listKeyProviderTypes", "listProjectMembers", "listRotatorTypes", "listScanRules", "listSourceTypes", "loadAuditKeys", "loadConfig", "markIncidentCompromised", "maskKey",
      "migrateDatabase", "moveKey", "openConfiguredManager", "openIncident", "option", "parseFernetKey", "postgresRoleRotatorType",
      "providerChecks", "readAuditRecords", "readProjectAuditLog", "redact", "registerKeyProviderType", "registerRotatorType", "registerSourceType",
      "removeProjectMember", "reportProjectAccess", "resolveAdapter", "resolveProviderKey", "restoreSecret", "reviewAccess", "reviewProjectAccess", "revokeGatewayRoute",
      "rotateDue", "rotateKey", "rotateSecret", "ruleSeverity", "runWithGateway", "runWithSecrets", "scan", "scanProject", "serveGatewayMcp", "serveMcpStdio", "spawnFailureExitCode", "startGateway", "toSarif", "uninstallHook",
      "userCacheDir", "validateConfig", "verifyAuditLog", "verifyProjectAuditLog", "writeEnvExample",
    ]);
  });
});
