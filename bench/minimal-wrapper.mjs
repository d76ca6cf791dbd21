// The practical floor for `hush run`: read the key, open the real local store file
// (docs/store-format.md: "hush-local 1 key=<id> len=<n>\n<fernet token>\n"), decrypt it with
// node:crypto, put each secret's newest value in the child's environment and spawn the child.
// No checks beyond the Fernet HMAC, no signals, no options. Usage: node minimal-wrapper.mjs <secretsDir> <cmd> [args...]
import { readFileSync } from "node:fs";
import { createDecipheriv, createHmac, timingSafeEqual } from "node:crypto";
import { spawn } from "node:child_process";

const [dir, command, ...args] = process.argv.slice(2);
const key = Buffer.from(readFileSync(`${dir}/.encryption.key`, "latin1").trim(), "base64url");
const file = readFileSync(`${dir}/dev.store`, "latin1");
const token = Buffer.from(file.slice(file.indexOf("\n") + 1).trim(), "base64url");

// Fernet: version(1) | time(8) | iv(16) | ciphertext | hmac(32); key = signing(16) | encryption(16).
const mac = createHmac("sha256", key.subarray(0, 16)).update(token.subarray(0, -32)).digest();
if (!timingSafeEqual(mac, token.subarray(-32))) throw new Error("bad HMAC");
const decipher = createDecipheriv("aes-128-cbc", key.subarray(16), token.subarray(9, 25));
const plain = Buffer.concat([decipher.update(token.subarray(25, -32)), decipher.final()]);
const doc = JSON.parse(plain.toString("utf8"));

const env = { ...process.env };
for (const [name, entry] of Object.entries(doc.secrets)) {
  const newest = entry.versions[entry.versions.length - 1];
  if (newest) env[name.toUpperCase().replace(/[.-]/g, "_")] = newest.value;
}

const child = spawn(command, args, { stdio: "inherit", env });
child.on("exit", (code, signal) => {
  process.exitCode = code ?? 128 + (signal === "SIGINT" ? 2 : 15);
});
