/**
 * `hush rotate` (the library's rotateSecret) on a `vault` source, against the Vault fake through
 * the source's own HTTP client, runs the rotate-on-a-staging-source suite
 * (./conformance/staging-source.ts): the new value waits as a KV v2 version marked hush-pending
 * while reads keep serving the old one, finish moves the marks (hush-previous = the old version), a
 * second rotation during the first is refused, a rotation cut between stage and finish resumes and
 * revokes the old value only, and an unreachable Vault fails the rotation without a value and
 * without "no pending" ever read. Here besides: the source without `rotation: true`, and a finish
 * whose reply is lost. The SIGKILL-then-resume case is in crash-resume.test.ts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rotateSecret } from "../../src/workflows/rotate.js";
import { openConfiguredManager } from "../../src/config/open.js";
import { registerRotatorType } from "../../src/rotation/registry.js";
import { defineRotatorType } from "../../src/rotation/rotator.js";
import { HushError } from "../../src/errors.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { startVaultFake, type VaultFake } from "../fakes/vault.js";
import { describeRotateOnSource, ROTATE_VALUES } from "./conformance/staging-source.js";

const OLD = ["old-", "vault-rotate-canary-", "4Rt"].join("");
const KEY = "app/api_token";
const UNAVAILABLE = { status: 503, body: JSON.stringify({ errors: ["Vault is sealed"] }) };

let vault: VaultFake;
let root: string;
let dir: string;
let env: NodeJS.ProcessEnv;
let n = 0;

beforeAll(async () => {
  vault = await startVaultFake();
  root = realpathSync(mkdtempSync(join(tmpdir(), "hush-vault-rotate-")));
});
afterAll(async () => {
  await vault.close();
  rmSync(root, { recursive: true, force: true });
});

/** A project on the fake holding `api_token` = `value`; hush.yaml's vault entry with `options`. */
function project(value: string, options = "rotation: true, "): void {
  dir = join(root, `p${++n}`);
  env = { HOME: dir, VAULT_TOKEN: vault.rootToken };
  mkdirSync(join(dir, ".secrets"), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, ".secrets", ".encryption.key"), generateFernetKey(), { mode: 0o600 });
  writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n  - type: vault\n    options: { address: "${vault.url}", path: app, ${options}timeout: 2s }\n`);
  vault.kv().deleteAll(KEY);
  vault.kv().write(KEY, { data: { value } });
}

const secret = () => vault.kv().secrets.get(KEY)!;
/** What a hush read (a manager of its own, no shared cache) serves now. */
async function served(): Promise<string | undefined> {
  const { manager } = await openConfiguredManager({ cwd: dir, env });
  try {
    return (await manager.sources[0]!.get("api_token"))?.value;
  } finally {
    await manager.dispose();
  }
}

describeRotateOnSource(
  "vault",
  {
    async create() {
      project(ROTATE_VALUES.OLD);
      const values = () => [...secret().versions.values()].map((v) => v.data?.value);
      // hush's marks without the random hush-stage id, and every version's value.
      const marks = () => Object.fromEntries(Object.entries(secret().custom_metadata ?? {}).filter(([k]) => k !== "hush-stage"));
      return {
        dir,
        env,
        served,
        backend: {
          state: () => ({ marks: marks(), values: values() }),
          staged: (value) => ({ marks: { "hush-current": "1", "hush-pending": "2" }, values: [ROTATE_VALUES.OLD, value] }),
          promoted: (value) => ({ marks: { "hush-current": "2", "hush-previous": "1" }, values: [ROTATE_VALUES.OLD, value] }),
        },
        goDown: () => void (vault.server.alwaysFault = UNAVAILABLE),
        heal: () => void (vault.server.alwaysFault = undefined),
        async cleanup() {
          vault.server.alwaysFault = undefined;
          vault.beforeRequest = undefined;
        },
      };
    },
  },
  { skips: { cutFinish: "promote is one metadata write (the marks move together): a finish is done or not; a lost reply is the test below" } },
);

describe("hush rotate on the vault source", () => {
  beforeEach(() => project(OLD));
  afterEach(() => {
    vault.server.alwaysFault = undefined;
    vault.beforeRequest = undefined;
  });

  it("without rotation: true the vault source cannot stage: READ_ONLY names 'vault with rotation: true', nothing written", async () => {
    project(OLD, "");
    const e = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, rotator: { type: "random", options: {} } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("READ_ONLY");
    expect((e as HushError).message).toContain("vault with rotation: true");
    expect(secret().current_version).toBe(1);
    expect(secret().custom_metadata ?? {}).toEqual({});
  });

  it("a finish whose reply is lost (marks moved, the read-back fails): --resume finds nothing pending and revokes nothing", async () => {
    const revoked: string[] = [];
    const off = registerRotatorType(defineRotatorType({ type: "test-lost", summary: "records revokes (tests)", options: {}, create: () => ({ create: async () => "lost-CANARY-value", revoke: async ({ value }) => void revoked.push(value) }) }));
    try {
      let metadataPosts = 0;
      vault.beforeRequest = (method, api) => {
        if (api !== `secret/metadata/${KEY}`) return undefined;
        if (method === "POST" && ++metadataPosts === 2) vault.server.alwaysFault = UNAVAILABLE; // promote's marks land; everything after fails
        return undefined;
      };
      const cut = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, rotator: { type: "test-lost", options: {} } }).catch((e: unknown) => e);
      expect((cut as HushError).code).toBe("ROTATION_FAILED");
      vault.server.alwaysFault = undefined;
      vault.beforeRequest = undefined;
      expect(secret().custom_metadata).toEqual({ "hush-current": "2", "hush-previous": "1" });
      const resumed = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, resume: true, rotator: { type: "test-lost", options: {} } }).catch((e: unknown) => e);
      expect((resumed as HushError).code).toBe("INVALID_ARGUMENT");
      expect(revoked, "never the new value").toEqual([]);
      expect(await served()).toBe("lost-CANARY-value");
    } finally {
      off();
    }
  });

});
