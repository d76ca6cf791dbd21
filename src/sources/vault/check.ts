/**
 * The `vault` source's live check, for `hush doctor`: the token (where it came from, its time to
 * live, whether it renews) and one LIST of the prefix (reachability and the `list` permission),
 * each problem with its fix. Never a token or a value.
 */
import { HushError } from "../../errors.js";
import type { SourceCheck } from "../../types.js";
import type { VaultClient } from "./client.js";
import { listFolder } from "./kv.js";

/** Checks `client` against Vault. */
export async function checkVault(client: VaultClient, address: string, mount: string, prefix: string | undefined): Promise<SourceCheck> {
  const problems: { message: string; fix: string }[] = [];
  let token = "";
  try {
    const json = await client.sendJson({ method: "GET", path: "auth/token/lookup-self", where: { source: "vault", operation: "token lookup" } });
    const data = (json as { data?: { ttl?: unknown; renewable?: unknown } } | undefined)?.data;
    const ttl = typeof data?.ttl === "number" ? (data.ttl === 0 ? "no expiry" : `expires in ${Math.round(data.ttl / 60)} min`) : "ttl unknown";
    token = `token from ${client.auth.origin}, ${ttl}${data?.renewable === true ? ", renewable" : ""}`;
  } catch (e) {
    problems.push(problem(e, "Check the token (VAULT_TOKEN, `vault login`) or the auth settings in hush.yaml."));
  }
  try {
    const keys = await listFolder(client, mount, prefix ?? "", { source: "vault", operation: "list" });
    if (problems.length === 0) return { ok: true, detail: `${address}: ${token}; ${keys.length} keys under ${mount}/${prefix ?? ""}` };
  } catch (e) {
    problems.push(problem(e, `Grant "list" on ${mount}/metadata/${prefix ? `${prefix}/*` : "*"} to the token's policy, or check the address.`));
  }
  return { ok: false, detail: `${address}: ${problems.map((p) => p.message).join("; ")}`, problems };
}

// --- internal ---

function problem(e: unknown, fix: string): { message: string; fix: string } {
  if (!(e instanceof HushError)) return { message: "unexpected failure", fix };
  return { message: `${e.code}: ${e.message}`, fix: e.code === "SOURCE_UNAVAILABLE" ? "Check the address and that Vault is running and unsealed." : fix };
}
