/**
 * The `aws` source's live check for `hush doctor`: who hush runs as, whether Secrets Manager
 * answers, and whether that identity may read one sample name.
 *
 * Identity without `@aws-sdk/client-sts`: STS's GetCallerIdentity would be one more package to
 * install for one line of doctor output. What the credential chain resolved tells the account
 * (when the provider knows it) and the kind of key (AKIA: a user's long-term key; ASIA: a role's
 * temporary one), shown by its last 4 characters only; and when AWS refuses a call, its message
 * names the principal (`User: arn:aws:sts::…:assumed-role/… is not authorized`), which the check
 * shows. The secret access key is never read out.
 *
 * The sample is the first `remote:` key, else the first secret under `path` (ListSecrets, which
 * an app's read-only policy may not allow: then a probe name under `path`, whose "not found"
 * still proves the call is allowed on the prefix). The sample's value is read and dropped.
 */
import type { RemoteRef } from "../../config/types.js";
import type { SourceCheck } from "../../types.js";
import type { AwsSecretsClient } from "./client.js";
import { awsError, isAwsNotFound } from "./errors.js";

type Problem = { message: string; fix: string };

/** The check: ok when the identity resolves and the sample can be read (or is absent but allowed). */
export async function checkAws(client: AwsSecretsClient, path: string, refs: Readonly<Record<string, RemoteRef>>): Promise<SourceCheck> {
  const problems: Problem[] = [];
  let who: string;
  try {
    who = describeIdentity(await client.identity());
  } catch (e) {
    const err = awsError(e, "resolve credentials for");
    return { ok: false, detail: "no AWS identity", problems: [{ message: err.message, fix: err.hint }] };
  }
  const sample = await pickSample(client, path, refs);
  try {
    await client.getSecretValue({ SecretId: sample.id });
    return { ok: true, detail: `${who}; can read ${JSON.stringify(sample.id)}` };
  } catch (e) {
    if (isAwsNotFound(e)) {
      const ok = sample.probe;
      if (!ok) problems.push({ message: `The secret ${JSON.stringify(sample.id)} named in hush.yaml does not exist in this account and region.`, fix: "Check the `remote.key`, the region and the account; create it with `hush set NAME`." });
      return { ok, detail: `${who}; reachable, GetSecretValue allowed under ${JSON.stringify(path || "(no prefix)")}`, problems };
    }
    const err = awsError(e, "read", sample.id);
    const principal = principalOf(e);
    problems.push({ message: `${err.message}${principal ? ` Principal: ${principal}.` : ""}`, fix: fixFor(err.code, path) });
    return { ok: false, detail: `${who}; cannot read ${JSON.stringify(sample.id)}`, problems };
  }
}

// --- internal ---

function describeIdentity(id: { accessKeyId?: string; accountId?: string; region?: string }): string {
  const key = id.accessKeyId ?? "";
  const kind = key.startsWith("ASIA") ? "temporary role credentials" : key.startsWith("AKIA") ? "a long-term access key" : "credentials";
  const tail = key.length > 4 ? ` (…${key.slice(-4)})` : "";
  return `${kind}${tail}${id.accountId ? ` in account ${id.accountId}` : ""}, region ${id.region ?? "?"}`;
}

async function pickSample(client: AwsSecretsClient, path: string, refs: Readonly<Record<string, RemoteRef>>): Promise<{ id: string; probe: boolean }> {
  const ref = Object.values(refs)[0];
  if (ref) return { id: ref.key, probe: false };
  try {
    const out = await client.listSecrets({ Filters: path ? [{ Key: "name", Values: [path] }] : undefined, MaxResults: 1 });
    const first = out.SecretList?.[0]?.Name;
    if (first) return { id: first, probe: false };
  } catch {
    // ListSecrets is often not granted to apps; the probe below tells what matters.
  }
  return { id: `${path}hush-doctor-probe`, probe: true };
}

/** The principal AWS names in a refusal ("User: arn:… is not authorized"), when it does. */
function principalOf(e: unknown): string | undefined {
  const m = (e as { message?: unknown }).message;
  return typeof m === "string" ? /\b(arn:aws[a-z-]*:(?:iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/-]{1,512})/.exec(m)?.[1] : undefined;
}

function fixFor(code: string, path: string): string {
  const resource = `arn:aws:secretsmanager:<region>:<account>:secret:${path}*`;
  if (code === "ACCESS_DENIED") return `Allow secretsmanager:GetSecretValue and secretsmanager:BatchGetSecretValue on ${resource} for this principal (docs/aws.md has the policy).`;
  if (code === "KMS_DECRYPT_FAILED") return "Allow kms:Decrypt on the secret's KMS key for this principal, and check that the key is enabled.";
  if (code === "DELETED") return "Restore the secret with `aws secretsmanager restore-secret`, or point hush.yaml at another one.";
  if (code === "CONFIG_INVALID") return "Set `region:` in the aws source's options, or AWS_REGION.";
  return "Check the network path to Secrets Manager (VPC endpoint, proxy, `endpoint:`), then run `hush doctor` again.";
}
