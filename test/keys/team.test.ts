/**
 * The team provider and the members file: two members with their own HOMEs open the same key
 * with no key file copied; a non-member is ACCESS_DENIED; a removed member cannot open after
 * re-keying; a tampered file is STORE_CORRUPT; nothing secret in any error.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFernetKey, parseFernetKey, type FernetKey } from "../../src/crypto/fernet.js";
import { HushError } from "../../src/errors.js";
import { createTeamKeyProvider } from "../../src/keys/team.js";
import { generateMemberIdentity, memberIdentityPath } from "../../src/keys/member-identity.js";
import { addMemberEntry, listMemberEntries, removeMemberEntry, rewrapMemberEntries } from "../../src/keys/members.js";
import { membersFilePath } from "../../src/keys/members-file.js";
import { parseMemberPublicKey, rawPublicKey, wrapToRecipient } from "../../src/keys/x25519-wrap.js";
import { describeKeyProviderConformance } from "./conformance/suite.js";

let base: string;
let root: string;
const homes: Record<string, NodeJS.ProcessEnv> = {};
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "hush-team-"));
  root = join(base, "project");
  mkdirSync(root);
  for (const who of ["alice", "bob", "carol"]) {
    mkdirSync(join(base, who), { mode: 0o700 });
    homes[who] = { HOME: join(base, who), USER: who };
  }
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function provider(who: string) {
  return createTeamKeyProvider({}, { root, secretsDir: join(root, ".secrets"), environment: "prod", env: homes[who], onWarning: () => undefined });
}
const raw = (k: FernetKey) => Buffer.concat([k.signingKey, k.encryptionKey]).toString("base64url");

async function expectCodeNoLeak(p: Promise<unknown>, code: string, secrets: string[]): Promise<HushError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HushError);
  const err = e as HushError;
  expect(err.code).toBe(code);
  const surfaces = [String(err), JSON.stringify(err), err.message, err.hint, err.stack ?? ""].join("\n");
  for (const s of secrets) expect(surfaces).not.toContain(s);
  return err;
}

describe("team provider", () => {
  it("keygen: a 0600 PEM in 0700 folders under XDG_CONFIG_HOME or ~/.config, kept when run again", async () => {
    const first = await generateMemberIdentity({ env: homes.alice });
    expect(first.created).toBe(true);
    expect(first.publicKey).toMatch(/^hush-x25519:[A-Za-z0-9_-]{43}$/);
    expect(first.path).toBe(join(base, "alice", ".config", "hush", "member", "x25519.pem"));
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(base, "alice", ".config", "hush", "member")).mode & 0o777).toBe(0o700);
    expect(statSync(join(base, "alice", ".config", "hush")).mode & 0o777).toBe(0o700);
    const again = await generateMemberIdentity({ env: homes.alice });
    expect(again).toEqual({ ...first, created: false });
    expect(memberIdentityPath({ XDG_CONFIG_HOME: "/x" })).toBe("/x/hush/member/x25519.pem");
  });

  it("two members in two HOMEs open the same key; a non-member is ACCESS_DENIED; a removed member cannot open after re-keying", async () => {
    await generateMemberIdentity({ env: homes.alice });
    const bob = await generateMemberIdentity({ env: homes.bob });
    await generateMemberIdentity({ env: homes.carol });
    const key = generateFernetKey();
    await provider("alice").save(key); // creates the file with alice alone
    const aliceKey = await provider("alice").load();
    await addMemberEntry({ root, environment: "prod", name: "bob", publicKey: bob.publicKey, key: aliceKey });
    const bobKey = await provider("bob").load();
    expect(raw(bobKey)).toBe(raw(parseFernetKey(key)));
    expect(listMemberEntries({ root, environment: "prod", key: bobKey }).members.map((m) => m.name)).toEqual(["alice", "bob"]);
    const file = readFileSync(membersFilePath(root, "prod"), "utf8");
    expect(file).not.toContain(raw(parseFernetKey(key)));
    expect(file).not.toContain(key);

    await expectCodeNoLeak(provider("carol").load(), "ACCESS_DENIED", [key, raw(aliceKey)]);

    await removeMemberEntry({ root, environment: "prod", name: "bob", key: aliceKey });
    const next = generateFernetKey();
    const alice = provider("alice");
    await alice.load();
    await alice.save(next, { replace: true });
    expect(raw(await provider("alice").load())).toBe(raw(parseFernetKey(next)));
    await expectCodeNoLeak(provider("bob").load(), "ACCESS_DENIED", [key, next]);
  });

  it("a tampered members file is STORE_CORRUPT (MAC or form), never 'not a member'", async () => {
    await generateMemberIdentity({ env: homes.alice });
    const bob = await generateMemberIdentity({ env: homes.bob });
    const key = generateFernetKey();
    await provider("alice").save(key);
    await addMemberEntry({ root, environment: "prod", name: "bob", publicKey: bob.publicKey, key: parseFernetKey(key) });
    const path = membersFilePath(root, "prod");
    const good = readFileSync(path, "utf8");
    const cases: [string, (d: Json) => void, string][] = [
      ["renamed member", (d) => (d.members[1].name = "mallory"), "STORE_CORRUPT"],
      ["swapped stanzas order", (d) => d.members.reverse(), "STORE_CORRUPT"],
      ["extra field", (d) => (d.members[0].note = "x"), "STORE_CORRUPT"],
      ["other environment", (d) => (d.environment = "dev"), "STORE_CORRUPT"],
      ["duplicate", (d) => d.members.push(d.members[0]), "STORE_CORRUPT"],
      ["bad mac", (d) => (d.mac = Buffer.alloc(32).toString("base64url")), "STORE_CORRUPT"],
      ["altered own stanza", (d) => (d.members[0].stanza.body = Buffer.alloc(48, 1).toString("base64url")), "WRONG_KEY"],
    ];
    for (const [what, change, code] of cases) {
      const doc = JSON.parse(good);
      change(doc);
      writeFileSync(path, JSON.stringify(doc), { mode: 0o600 });
      const e = await expectCodeNoLeak(provider("alice").load(), code, [key, raw(parseFernetKey(key))]);
      expect(e.code, what).toBe(code);
    }
    writeFileSync(path, "{ not json " + key);
    await expectCodeNoLeak(provider("alice").load(), "STORE_CORRUPT", [key]);
    writeFileSync(path, good);
    expect(raw(await provider("alice").load())).toBe(raw(parseFernetKey(key)));
  });

  it("no key pair is KEY_MISSING with the keygen hint; add refuses a bad public key and a second name", async () => {
    const e = await expectCodeNoLeak(provider("alice").load(), "KEY_MISSING", []);
    expect(e.hint).toContain("hush member keygen");
    const key = parseFernetKey(generateFernetKey());
    await expectCodeNoLeak(addMemberEntry({ root, environment: "prod", name: "bob", publicKey: "hush-x25519:short", key }), "INVALID_ARGUMENT", []);
    const bob = await generateMemberIdentity({ env: homes.bob });
    await addMemberEntry({ root, environment: "prod", name: "bob", publicKey: bob.publicKey, key });
    await expectCodeNoLeak(addMemberEntry({ root, environment: "prod", name: "bob", publicKey: bob.publicKey, key }), "INVALID_ARGUMENT", []);
    // Adding with another key than the file's is refused: its MAC does not match.
    const carol = await generateMemberIdentity({ env: homes.carol });
    await expectCodeNoLeak(addMemberEntry({ root, environment: "prod", name: "carol", publicKey: carol.publicKey, key: parseFernetKey(generateFernetKey()) }), "STORE_CORRUPT", []);
  });

  it("refuses a low-order public key (an all-zero shared secret) and one of the wrong length", () => {
    expect(() => wrapToRecipient(Buffer.alloc(32, 7), Buffer.alloc(32), "prod")).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => parseMemberPublicKey("hush-x25519:" + Buffer.alloc(31).toString("base64url"))).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("rewrapMemberEntries moves every member to a new key (re-keying under another provider)", async () => {
    const bob = await generateMemberIdentity({ env: homes.bob });
    const old = parseFernetKey(generateFernetKey());
    await addMemberEntry({ root, environment: "prod", name: "bob", publicKey: bob.publicKey, key: old });
    const next = parseFernetKey(generateFernetKey());
    expect(await rewrapMemberEntries({ root, environment: "prod", currentKey: old, newKey: next })).toBe(true);
    expect(raw(await provider("bob").load())).toBe(raw(next));
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests alter parsed JSON freely
type Json = any;

describeKeyProviderConformance(
  "team",
  {
    async create() {
      const dir = mkdtempSync(join(tmpdir(), "hush-team-conf-"));
      const env = { HOME: join(dir, "home"), USER: "alice" };
      mkdirSync(env.HOME, { mode: 0o700 });
      const identity = await generateMemberIdentity({ env });
      const ctx = { root: join(dir, "project"), secretsDir: join(dir, "project", ".secrets"), environment: "prod", env, onWarning: () => undefined };
      const make = () => createTeamKeyProvider({}, ctx);
      const path = membersFilePath(ctx.root, "prod");
      return {
        provider: make(),
        reopen: make,
        faults: {
          // Alice's entry now holds a key wrapped to another key pair: it does not open with hers.
          wrongKey: async () => {
            const doc = JSON.parse(readFileSync(path, "utf8"));
            const other = generateKeyPairSync("x25519");
            const s = wrapToRecipient(Buffer.alloc(32, 3), rawPublicKey(other.publicKey), "prod");
            doc.members[0].stanza = { type: "X25519", ephemeral: s.ephemeral.toString("base64url"), iv: s.iv.toString("base64url"), body: s.body.toString("base64url") };
            writeFileSync(path, JSON.stringify(doc));
          },
          corrupt: async () => writeFileSync(path, readFileSync(path).subarray(0, 60)),
          laxPermissions: async () => chmodSync(identity.path, 0o644),
          // Another key pair in the same place: this user is no longer listed.
          deny: async () => {
            rmSync(identity.path);
            await generateMemberIdentity({ env });
          },
        },
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  { skips: { unreachable: "a committed file and a local key pair: no backend to be unreachable" } },
);
