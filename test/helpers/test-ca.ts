/**
 * A throw-away certificate authority and a server certificate it signed, for 127.0.0.1 and
 * localhost, made with the `openssl` CLI in a private temp folder (node:crypto makes keys but
 * cannot sign X.509 certificates). Only the gateway trusts the CA, through a route's `caCert`
 * (the file at `caPath`); a test never sets NODE_EXTRA_CA_CERTS.
 *
 * @example
 * const ca = makeTestCa();
 * const fake = await startLlmUpstream({ tls: ca.server });
 * // hush.yaml: caCert: ${ca.caPath}
 * ca.cleanup();
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A CA, one server certificate it signed, and the folder holding their PEM files. */
export interface TestCa {
  /** Folder (0700) with ca.pem, ca.key, server.pem, server.key. */
  dir: string;
  /** Path of the CA certificate (PEM): what a route's `caCert` names. */
  caPath: string;
  /** The CA certificate (PEM). */
  caCert: string;
  /** Key and certificate (PEM) of a server at 127.0.0.1 / localhost, signed by the CA. */
  server: { key: string; cert: string };
  /** Removes the folder. */
  cleanup(): void;
}

/** Makes a one-day CA (P-256) and a server certificate for IP 127.0.0.1 and DNS localhost. */
export function makeTestCa(name = "hush test CA"): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "hush-ca-"));
  const at = (file: string) => join(dir, file);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    openssl(["req", "-x509", ...ec, "-keyout", at("ca.key"), "-out", at("ca.pem"), "-days", "1", "-subj", `/CN=${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    openssl(["req", "-new", ...ec, "-keyout", at("server.key"), "-out", at("server.csr"), "-subj", "/CN=localhost"]);
    writeFileSync(at("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n", { mode: 0o600 });
    openssl(["x509", "-req", "-in", at("server.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial", "-days", "1", "-extfile", at("server.ext"), "-out", at("server.pem")]);
    return {
      dir,
      caPath: at("ca.pem"),
      caCert: readFileSync(at("ca.pem"), "utf8"),
      server: { key: readFileSync(at("server.key"), "utf8"), cert: readFileSync(at("server.pem"), "utf8") },
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

// --- internal ---

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: "pipe" });
}
