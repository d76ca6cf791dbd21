/**
 * OpenSSH private keys, made by `ssh-keygen` itself: their bodies always hold `AAAAAAAA`
 * (the zero bytes of length fields), which a placeholder check on runs would take for a
 * placeholder. The finding shows the header's first characters only, never the key.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDetector } from "../../src/scan/detect.js";

function hasSshKeygen(): boolean {
  try {
    execFileSync("ssh-keygen", ["-?"], { stdio: "ignore" });
    return true;
  } catch (e) {
    // ssh-keygen -? exits 1 after printing its usage: present. ENOENT: absent.
    return (e as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

const present = hasSshKeygen();
const dir = mkdtempSync(join(tmpdir(), "hush-ssh-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const detector = createDetector();

function keygen(name: string, args: string[]): string {
  const file = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-N", "", "-C", "", ...args, "-f", file], { stdio: "ignore" });
  return readFileSync(file, "utf8");
}

describe.skipIf(!present)("OpenSSH private keys (ssh-keygen absent: skipped)", () => {
  const kinds: [string, string[]][] = [
    ["ed25519", ["-t", "ed25519"]],
    ["ecdsa", ["-t", "ecdsa", "-b", "256"]],
    ["rsa4096", ["-t", "rsa", "-b", "4096"]],
  ];
  for (const [name, args] of kinds) {
    it(`${name}: reported once as private-key, in a file and pasted into JSON, without its body in the finding`, () => {
      const key = keygen(name, args);
      expect(key).toContain("-----BEGIN OPENSSH PRIVATE KEY-----");
      expect(key).toMatch(/AAAAAAAA/); // the very thing the run check tripped on
      const body = key.split("\n").slice(1, -2).join("");
      for (const text of [key, key.replace(/\n/g, "\r\n"), JSON.stringify({ ssh_key: key })]) {
        const found = detector.detect(text);
        expect(found.map((f) => f.ruleId)).toEqual(["private-key"]);
        const shown = JSON.stringify(found);
        for (const line of key.split("\n").slice(1, -2)) if (line.length > 8) expect(shown).not.toContain(line.slice(4));
        expect(shown).not.toContain(body.slice(4, 40));
      }
    });
  }

  it("an OpenSSH header with a placeholder or low-entropy body is not reported", () => {
    const header = "-----BEGIN OPENSSH PRIVATE KEY-----";
    const footer = "-----END OPENSSH PRIVATE KEY-----";
    expect(detector.detect(`${header}\n${"A".repeat(70)}\n${footer}`)).toEqual([]);
    expect(detector.detect(`${header}\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUEXAMPLEKEYbodyGoesHereQ29udGVudHMx\n${footer}`)).toEqual([]);
  });
});
