// Fernet encrypt/decrypt throughput: hush vs a minimal reference on raw node:crypto
// (AES-128-CBC + HMAC-SHA256, no checks beyond the HMAC), interleaved in one run.
// Run: npm run build && node --expose-gc bench/fernet.bench.mjs
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { fernetDecrypt, fernetEncrypt, generateFernetKey, parseFernetKey } from "../dist/index.js";
import { fmt, interleave, printTable } from "./_measure.mjs";

const key = parseFernetKey(generateFernetKey());
const sign = key.signingKey;
const enc = key.encryptionKey;

// The reference: the least code that produces and checks a Fernet-shaped token.
function refEncrypt(plain) {
  const iv = randomBytes(16);
  const c = createCipheriv("aes-128-cbc", enc, iv);
  const header = Buffer.alloc(9);
  header[0] = 0x80;
  header.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000)), 1);
  const body = Buffer.concat([header, iv, c.update(plain), c.final()]);
  return Buffer.concat([body, createHmac("sha256", sign).update(body).digest()]).toString("base64url");
}
function refDecrypt(token) {
  const data = Buffer.from(token, "base64url");
  const mac = createHmac("sha256", sign).update(data.subarray(0, data.length - 32)).digest();
  if (!timingSafeEqual(mac, data.subarray(data.length - 32))) throw new Error("bad mac");
  const d = createDecipheriv("aes-128-cbc", enc, data.subarray(9, 25));
  return Buffer.concat([d.update(data.subarray(25, data.length - 32)), d.final()]);
}

const sizes = [["100 B", 100], ["1 KiB", 1024], ["64 KiB", 65536], ["1 MiB", 1 << 20]];
const rows = [];
for (const [label, size] of sizes) {
  const plain = randomBytes(size);
  const token = fernetEncrypt(key, plain);
  const refToken = refEncrypt(plain);
  const n = Math.max(20, Math.floor(2e7 / (size + 2000)));
  const r = await interleave({
    hushEnc: () => { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) fernetEncrypt(key, plain); return { seconds: Number(process.hrtime.bigint() - t) / 1e9, ops: n }; },
    refEnc: () => { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) refEncrypt(plain); return { seconds: Number(process.hrtime.bigint() - t) / 1e9, ops: n }; },
    hushDec: () => { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) fernetDecrypt(key, token); return { seconds: Number(process.hrtime.bigint() - t) / 1e9, ops: n }; },
    refDec: () => { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) refDecrypt(refToken); return { seconds: Number(process.hrtime.bigint() - t) / 1e9, ops: n }; },
  });
  rows.push([label, fmt(r.hushEnc), fmt(r.refEnc), `${((r.hushEnc / r.refEnc) * 100).toFixed(0)}%`, fmt(r.hushDec), fmt(r.refDec), `${((r.hushDec / r.refDec) * 100).toFixed(0)}%`]);
}
printTable(`Fernet ops/s, medians of 21 interleaved rounds (node ${process.version}; goal: hush >= 90% of reference)`, ["size", "hush enc", "ref enc", "hush/ref", "hush dec", "ref dec", "hush/ref"], rows);
