/**
 * The `tls-certificate` rotator: a certificate (PEM) renewed before it expires. The user's
 * `create` command makes the new certificate and prints its PEM on stdout (an ACME client, an
 * internal CA's CLI, `openssl`); `set`, `test` and `revoke` are optional commands as for the
 * `command` rotator (the PEM on stdin). hush reads the expiry from the PEM (`X509Certificate`),
 * refuses a new certificate that is already expired or expires no later than the old one, and
 * makes the rotation due `renewDays` before expiry (`hush rotate --due`, `hush audit review`).
 *
 * ```yaml
 * secrets:
 *   api_tls_cert:
 *     type: tls-certificate
 *     rotator: { type: tls-certificate, create: ./ops/issue-cert.sh, set: ./ops/install-cert.sh, renewDays: 30 }
 * ```
 */
import { X509Certificate } from "node:crypto";
import { HushError } from "../errors.js";
import { option } from "../config/options-schema.js";
import { createCommandRotator } from "./command.js";
import { defineRotatorType, type Rotator, type RotatorContext } from "./rotator.js";

/** Options of the `tls-certificate` rotator. */
export interface TlsCertificateRotatorOptions {
  /** Prints the new certificate (PEM, a key may follow) on stdout. */
  create?: string;
  /** Installs the new PEM (stdin) where it is served. @default none */
  set?: string;
  /** Exits 0 when the new certificate (stdin) is served and valid. @default none */
  test?: string;
  /** Revokes the old certificate (stdin) after the grace period. @default none */
  revoke?: string;
  /** The rotation is due this many days before the current certificate expires. @default 30 */
  renewDays: number;
  /** Longest a command may run, in seconds. @default 300 */
  timeoutSeconds: number;
}

const schema = {
  create: option.string({ description: "shell command that prints the new certificate (PEM) on stdout" }),
  set: option.string({ description: "shell command that installs the new PEM, given on stdin" }),
  test: option.string({ description: "shell command that exits 0 when the new certificate (stdin) works" }),
  revoke: option.string({ description: "shell command that revokes the old certificate (stdin)" }),
  renewDays: option.integer({ min: 1, max: 365, default: 30, description: "days before expiry at which the rotation is due" }),
  timeoutSeconds: option.integer({ min: 1, max: 3600, default: 300, description: "longest a command may run" }),
};

/** The `tls-certificate` rotator type. */
export const tlsCertificateRotatorType = defineRotatorType({
  type: "tls-certificate",
  summary: "a TLS certificate (PEM) made by your command, due N days before its expiry (read with X509Certificate)",
  options: schema,
  create: (options, context) => createTlsCertificateRotator(options, context),
});

/** The expiry of the first certificate in `pem`; INVALID_VALUE when it holds none that parses. */
export function certificateExpiry(pem: string, name: string): Date {
  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  try {
    if (!block) throw new Error("no certificate block");
    return new Date(new X509Certificate(block).validTo);
  } catch (e) {
    throw new HushError("INVALID_VALUE", `"${name}" holds no PEM certificate that can be read (-----BEGIN CERTIFICATE-----).`, { cause: e, secret: name });
  }
}

/** A rotator for a PEM certificate; see the module comment. */
export function createTlsCertificateRotator(options: TlsCertificateRotatorOptions, context: Pick<RotatorContext, "name" | "root" | "env">): Rotator {
  if (!options.create) throw new HushError("INVALID_ARGUMENT", `The tls-certificate rotator of "${context.name}" needs a \`create\` command that prints the new certificate.`, { secret: context.name });
  const commands = createCommandRotator({ ...options, timeoutSeconds: options.timeoutSeconds }, context);
  return {
    ...commands,
    async create(current) {
      const pem = await commands.create(current);
      const expires = certificateExpiry(pem, context.name);
      if (expires.getTime() <= Date.now()) throw new HushError("INVALID_VALUE", `The new certificate of "${context.name}" expired on ${expires.toISOString()}.`, { secret: context.name });
      if (current !== undefined && /BEGIN CERTIFICATE/.test(current) && expires <= certificateExpiry(current, context.name)) {
        throw new HushError("INVALID_VALUE", `The new certificate of "${context.name}" expires ${expires.toISOString()}, no later than the current one.`, { secret: context.name });
      }
      return pem.endsWith("\n") ? pem : pem + "\n";
    },
  };
}
