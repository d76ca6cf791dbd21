import { afterAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { userKeyFolder, userKeyProviderType } from "../../src/keys/user.js";
import type { KeyProviderContext } from "../../src/keys/provider.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { HushError } from "../../src/errors.js";
import { describeKeyProviderConformance } from "./conformance/suite.js";

const base = mkdtempSync(join(tmpdir(), "hush-key-user-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function setup(environment = "dev", env: NodeJS.ProcessEnv = {}) {
  const home = mkdtempSync(join(base, "home-"));
  const root = mkdtempSync(join(base, "project-"));
  const context: KeyProviderContext = { root, secretsDir: join(root, ".secrets"), environment, project: "demo-1234", env: { HOME: home, ...env }, onWarning: () => undefined };
  const make = () => userKeyProviderType.create({}, context);
  const keyPath = join(home, ".config", "hush", "keys", "demo-1234", `${environment}.key`);
  return { home, root, context, make, keyPath };
}

describeKeyProviderConformance(
  "user",
  {
    async create() {
      const { make, keyPath } = setup("prod");
      return {
        provider: make(),
        reopen: make,
        faults: {
          corrupt: async () => writeFileSync(keyPath, Buffer.from([0xff, 0x00, 0x41])),
          laxPermissions: async () => chmodSync(join(keyPath, ".."), 0o755),
        },
        cleanup: async () => undefined,
      };
    },
  },
  {
    skips: {
      wrongKey: "a plain key file has no check value: any 32 bytes are a key; the store it opens reports WRONG_KEY",
      denied: "no service to refuse: an unreadable file is READ_FAILED (and tests run as root, which reads any file)",
      unreachable: "a local file has no backend to be unreachable",
    },
  },
);

describe("user key provider", () => {
  it("keeps the key in ~/.config/hush/keys/<project>/<env>.key, outside the project, XDG_CONFIG_HOME first", () => {
    const { make, keyPath } = setup("prod");
    expect(make().location()).toEqual({ provider: "user", where: keyPath, insideProject: false });
    expect(userKeyFolder("demo-1234", { XDG_CONFIG_HOME: "/x/config", HOME: "/home/y" })).toBe("/x/config/hush/keys/demo-1234");
    expect(userKeyFolder("demo-1234", { XDG_CONFIG_HOME: "relative", HOME: "/home/y" })).toBe("/home/y/.config/hush/keys/demo-1234");
  });

  it("creates every folder it makes 0700 and the key 0600, even under umask 000", async () => {
    const { make, keyPath, home } = setup();
    const old = process.umask(0);
    try {
      await make().save(generateFernetKey());
    } finally {
      process.umask(old);
    }
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    for (const dir of [".config/hush", ".config/hush/keys", ".config/hush/keys/demo-1234"]) expect(statSync(join(home, dir)).mode & 0o777, dir).toBe(0o700);
  });

  it("a key file readable by others is refused", async () => {
    const { make, keyPath } = setup();
    await make().save(generateFernetKey());
    chmodSync(keyPath, 0o640);
    await expect(make().load()).rejects.toMatchObject({ code: "INSECURE_PERMISSIONS" });
  });

  it("needs a project id, and refuses one that is not a plain word", () => {
    const { context } = setup();
    expect(() => userKeyProviderType.create({}, { ...context, project: undefined })).toThrow(HushError);
    expect(() => userKeyFolder("../etc")).toThrow(HushError);
    expect(userKeyProviderType.create({ project: "other" }, context).location().where).toContain(join("keys", "other", "dev.key"));
  });
});
