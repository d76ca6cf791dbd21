/**
 * A throw-away RSA key and self-signed certificate for tests (openssl CLI: node:crypto makes keys
 * but not X.509 certificates): for 127.0.0.1 (a fake HTTPS server) or for a Sealed Secrets
 * controller's public key.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A PEM key and certificate. */
export interface TestCert {
  key: string;
  cert: string;
}

/** Makes an RSA key (2048 bits unless said) and a one-day self-signed certificate for `cn` (and IP 127.0.0.1). */
export function makeSelfSignedCert(cn = "127.0.0.1", bits = 2048): TestCert {
  const dir = mkdtempSync(join(tmpdir(), "hush-cert-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", `rsa:${bits}`, "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", `/CN=${cn}`, "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "pipe" });
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
