import { afterAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileKeyProviderType } from "../../src/keys/file.js";
import type { KeyProviderContext } from "../../src/keys/provider.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { describeKeyProviderConformance } from "./conformance/suite.js";

const base = mkdtempSync(join(tmpdir(), "hush-key-file-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function setup(environment = "dev") {
  const root = mkdtempSync(join(base, "p-"));
  const context: KeyProviderContext = { root, secretsDir: join(root, ".secrets"), environment, onWarning: () => undefined };
  const make = () => fileKeyProviderType.create({}, context);
  const keyPath = join(root, ".secrets", environment === "dev" ? ".encryption.key" : `${environment}.key`);
  return { root, context, make, keyPath };
}

describeKeyProviderConformance(
  "file",
  {
    async create() {
      const { make, keyPath } = setup();
      return {
        provider: make(),
        reopen: make,
        faults: {
          corrupt: async () => writeFileSync(keyPath, "not a key at all, and too short\n"),
          laxPermissions: async () => chmodSync(keyPath, 0o644),
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

describe("file key provider", () => {
  it("keeps the Python layout: .secrets/.encryption.key for dev, <env>.key otherwise, inside the project", () => {
    const dev = setup("dev");
    expect(dev.make().location()).toEqual({ provider: "file", where: dev.keyPath, insideProject: true });
    const prod = setup("prod");
    expect(prod.make().location().where).toBe(join(prod.root, ".secrets", "prod.key"));
  });

  it("creates the folder 0700 and the key 0600 even under umask 000", async () => {
    const { make, keyPath, context } = setup("prod");
    const old = process.umask(0);
    try {
      await make().save(generateFernetKey());
    } finally {
      process.umask(old);
    }
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(context.secretsDir).mode & 0o777).toBe(0o700);
  });

  it("replaces a key with mode 0600 and removes it on remove()", async () => {
    const { make, keyPath } = setup();
    const p = make();
    await p.save(generateFernetKey());
    await p.save(generateFernetKey(), { replace: true });
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(await p.remove!()).toBe(true);
    expect(await p.remove!()).toBe(false);
    expect(await p.exists()).toBe(false);
  });

  it("check() fails without a key, passes with one, and says the key is inside the project folder", async () => {
    const { make, keyPath } = setup();
    const p = make();
    expect((await p.check!()).ok).toBe(false);
    await p.save(generateFernetKey());
    const check = await p.check!();
    expect(check).toMatchObject({ ok: true, problems: [] });
    expect(check.detail).toMatch(/inside the project folder/);
    chmodSync(keyPath, 0o644);
    expect((await p.check!()).problems?.[0]?.fix).toMatch(/chmod 600/);
  });
});
