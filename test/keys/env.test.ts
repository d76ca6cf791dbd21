import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envKeyProviderType, keyVariableName } from "../../src/keys/env.js";
import type { KeyProviderContext } from "../../src/keys/provider.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { describeKeyProviderConformance } from "./conformance/suite.js";

function setup(environment = "prod", variable?: string) {
  const env: NodeJS.ProcessEnv = {};
  const root = join(tmpdir(), "hush-key-env-not-used");
  const context: KeyProviderContext = { root, secretsDir: join(root, ".secrets"), environment, env, onWarning: () => undefined };
  const make = () => envKeyProviderType.create(variable ? { variable } : {}, context);
  return { env, make };
}

describeKeyProviderConformance(
  "env",
  {
    async create() {
      const { env, make } = setup();
      return {
        provider: make(),
        reopen: make,
        readOnly: true,
        store: async (key) => void (env.HUSH_KEY_PROD = key),
        faults: { corrupt: async () => void (env.HUSH_KEY_PROD = "definitely-not-a-key") },
        cleanup: async () => undefined,
      };
    },
  },
  {
    skips: {
      refuseOverwrite: "read-only: the key is put into HUSH_KEY_<ENV> by CI or the container, not by hush",
      replace: "read-only: the key is put into HUSH_KEY_<ENV> by CI or the container, not by hush",
      malformedSave: "read-only: save always refuses with READ_ONLY (the contract case checks it)",
      wrongKey: "a variable has no check value: any 32 bytes are a key; the store it opens reports WRONG_KEY",
      laxPermissions: "a variable has no file mode",
      denied: "no service to refuse",
      unreachable: "no backend to be unreachable",
    },
  },
);

describe("env key provider", () => {
  it("reads HUSH_KEY_<ENV>, with '-' as '_', and is never inside the project", () => {
    expect(keyVariableName("prod")).toBe("HUSH_KEY_PROD");
    expect(keyVariableName("eu-west_2")).toBe("HUSH_KEY_EU_WEST_2");
    expect(setup("eu-west").make().location()).toEqual({ provider: "env", where: "$HUSH_KEY_EU_WEST", insideProject: false });
  });

  it("a variable named in options must be a HUSH_KEY_* name (hush run removes those from the child)", () => {
    expect(() => setup("prod", "MY_KEY").make()).toThrow(/HUSH_KEY_/);
    const { env, make } = setup("prod", "HUSH_KEY_CUSTOM");
    const key = generateFernetKey();
    env.HUSH_KEY_CUSTOM = key;
    return expect(make().load().then((k) => Buffer.concat([k.signingKey, k.encryptionKey]).toString("base64url") + "=")).resolves.toBe(key);
  });

  it("an empty variable is KEY_MISSING", async () => {
    const { env, make } = setup();
    env.HUSH_KEY_PROD = "";
    await expect(make().load()).rejects.toMatchObject({ code: "KEY_MISSING" });
    expect(mkdtempSync).toBeTypeOf("function");
  });
});
