/**
 * The Kubernetes branch of `hush export`: `--format k8s-secret | external-secret | sealed-secret`
 * and their flags (the formats and their flags are documented in `hush export --help` and
 * docs/kubernetes.md). Parse, one library call, print.
 */
import type { Command } from "commander";
import { HushError, MANIFEST_FORMATS, SEALING_SCOPES, STORE_TYPES, exportManifest, type ExportManifestOptions, type ManifestFormat, type SealingScope } from "../index.js";
import { err, type CliContext } from "./context.js";
import type { Mapped } from "./flags.js";
import { globalOptions, openManagerFromOptions } from "./open-manager.js";

/** The flags of the manifest formats. */
export interface ManifestFlags {
  format: string;
  only?: string;
  strict?: boolean;
  output?: string;
  name?: string;
  namespace?: string;
  label?: string[];
  refreshInterval?: string;
  storeName?: string;
  storeKind?: string;
  withStore?: boolean;
  storeSource?: string;
  serviceAccount?: string;
  cert?: string;
  scope?: string;
}

/** True for the manifest formats. */
export function isManifestFormat(format: string): format is ManifestFormat {
  return (MANIFEST_FORMATS as readonly string[]).includes(format);
}

/** Adds the manifest flags to the export command. */
export function addManifestOptions(command: Command): Command {
  return command
    .option("--name <name>", "k8s-secret, external-secret, sealed-secret: the object's name (required)")
    .option("--namespace <ns>", "the object's namespace (required to seal with the strict or namespace-wide scope)")
    .option("--label <key=value>", "a label on the object (repeat for more)", (v: string, all: string[] = []) => [...all, v])
    .option("--refresh-interval <duration>", "external-secret: how often ESO re-reads the backend (default 1h)")
    .option("--store-name <name>", "external-secret: the SecretStore's name (default hush-<source type>)")
    .option("--store-kind <kind>", "external-secret: SecretStore or ClusterSecretStore (default SecretStore)")
    .option("--with-store", "external-secret: also print the store for the vault, aws or gcp source of hush.yaml")
    .option("--store-source <type>", `external-secret: which source backs the store: ${STORE_TYPES.join(", ")} (default: the first in hush.yaml)`)
    .option("--service-account <name>", "external-secret --with-store: the service account ESO authenticates as (Vault Kubernetes auth, IRSA, workload identity)")
    .option("--cert <file>", "sealed-secret: the controller's certificate (kubeseal --fetch-cert > cert.pem)")
    .option("--scope <scope>", `sealed-secret: ${SEALING_SCOPES.join(" | ")} (default strict)`);
}

/** Runs `hush export` for a manifest format. */
export async function exportManifestCommand(opts: ManifestFlags, cmd: Command, ctx: CliContext): Promise<void> {
  const format = opts.format as ManifestFormat;
  if (opts.name === undefined) throw new HushError("INVALID_ARGUMENT", `--format ${format} needs --name: the name of the object in the cluster.`);
  if (opts.scope !== undefined && !(SEALING_SCOPES as readonly string[]).includes(opts.scope)) throw new HushError("INVALID_ARGUMENT", `--scope must be one of ${SEALING_SCOPES.join(", ")}.`);
  if (opts.storeKind !== undefined && !["SecretStore", "ClusterSecretStore"].includes(opts.storeKind)) throw new HushError("INVALID_ARGUMENT", "--store-kind must be SecretStore or ClusterSecretStore.");
  const configured = await openManagerFromOptions(globalOptions(cmd), ctx);
  try {
    const options: Mapped<ExportManifestOptions> & Pick<ExportManifestOptions, "format" | "name"> = {
      format,
      name: opts.name,
      namespace: opts.namespace,
      labels: parseLabels(opts.label),
      only: opts.only?.split(",").map((s) => s.trim()).filter(Boolean),
      strict: opts.strict,
      output: opts.output,
      refreshInterval: opts.refreshInterval,
      storeName: opts.storeName,
      storeKind: opts.storeKind as ExportManifestOptions["storeKind"],
      withStore: opts.withStore,
      storeSource: opts.storeSource,
      serviceAccount: opts.serviceAccount,
      env: ctx.env,
      cert: opts.cert,
      scope: opts.scope as SealingScope | undefined,
      onIssue: (i) => err(ctx, `hush: ${opts.strict ? "error" : "warning"}: ${i.message}`),
    };
    const { text, names, path } = await exportManifest(configured, options);
    if (path !== undefined) return err(ctx, `wrote a ${format} manifest of ${names.length} secret(s) to ${path} (mode 0600)`);
    // Only the plain Secret carries values a reader of the terminal could copy.
    if (format === "k8s-secret" && ctx.stdout.isTTY) err(ctx, "hush: warning: printing secret values (base64 is not encryption) to a terminal; pipe it to `kubectl apply -f -` or use --output.");
    ctx.stdout.write(text);
  } finally {
    await configured.manager.dispose();
  }
}

// --- internal ---

function parseLabels(labels: string[] | undefined): Record<string, string> | undefined {
  if (!labels) return undefined;
  const out: Record<string, string> = {};
  for (const l of labels) {
    const at = l.indexOf("=");
    if (at <= 0) throw new HushError("INVALID_ARGUMENT", "--label takes key=value.");
    out[l.slice(0, at)] = l.slice(at + 1);
  }
  return out;
}
