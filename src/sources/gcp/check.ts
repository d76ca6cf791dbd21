/**
 * `check()` of the `gcp` source, for `hush doctor`: who hush is (the credentials' account and
 * project), whether Secret Manager answers, and whether that identity may list secrets and read one
 * sample name. Each problem comes with its fix (a gcloud command); nothing here reads a value out.
 */
import { HushError } from "../../errors.js";
import type { SourceCheck } from "../../types.js";
import { access } from "./read.js";
import { listSecrets } from "./list.js";
import { locate, type GcpSession, type GcpSettings } from "./session.js";

/** The live check. */
export async function checkGcp(settings: GcpSettings, session: { get(): Promise<GcpSession> }): Promise<SourceCheck> {
  let s: GcpSession;
  try {
    s = await session.get();
  } catch (e) {
    return { ok: false, detail: `${settings.source}: cannot connect (${codeOf(e)}).`, problems: [{ message: messageOf(e), fix: e instanceof HushError ? e.hint : "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS." }] };
  }
  const problems: { message: string; fix: string }[] = [];
  const who = await identity(s);
  if (!who) problems.push({ message: "The credentials name no account (Application Default Credentials not found or not readable).", fix: "Run `gcloud auth application-default login` locally; on Cloud Run and GKE attach a service account (see docs/gcp.md)." });
  const member = who?.includes("gserviceaccount.com") ? `serviceAccount:${who}` : `user:${who ?? "ACCOUNT"}`;
  let sample: string | undefined = Object.keys(settings.remoteRefs)[0];
  let reachable = false;
  try {
    const listed = await listSecrets({ ...settings, attempts: 1 }, s, settings.prefix ? `name:${settings.prefix}` : "", 1, 1); // one page of one secret
    reachable = true;
    const id = listed[0]?.name?.split("/secrets/")[1];
    if (sample === undefined && id?.startsWith(settings.prefix)) sample = id.slice(settings.prefix.length);
  } catch (e) {
    reachable = !(e instanceof HushError && e.code === "SOURCE_UNAVAILABLE");
    if (!reachable) problems.push({ message: `Secret Manager does not answer at ${settings.endpoint ?? "its endpoint"} (${codeOf(e)}).`, fix: "Check the network path to secretmanager.googleapis.com (proxy, VPC Service Controls, firewall) and the `endpoint` option." });
    else if (e instanceof HushError && e.code === "ACCESS_DENIED") problems.push({ message: `${who ?? "The caller"} may not list secrets in ${s.parent} (needed by \`hush list\`, not by reads).`, fix: `gcloud projects add-iam-policy-binding ${s.project} --member=${member} --role=roles/secretmanager.viewer` });
    else problems.push({ message: messageOf(e), fix: e instanceof HushError ? e.hint : "See docs/gcp.md." });
  }
  let read = "no sample name to read";
  if (reachable && sample !== undefined) {
    const loc = locate(settings, s, sample, "check read");
    if (loc) {
      try {
        read = (await access({ ...settings, attempts: 1 }, s, loc)) ? `read ${sample}: allowed` : `read ${sample}: not found`;
      } catch (e) {
        read = `read ${sample}: ${codeOf(e)}`;
        const id = loc.where.path ?? sample;
        if (e instanceof HushError && e.code === "ACCESS_DENIED") problems.push({ message: `${who ?? "The caller"} may not read ${id}.`, fix: `gcloud secrets add-iam-policy-binding ${id} --project=${s.project} --member=${member} --role=roles/secretmanager.secretAccessor` });
        else if (!(e instanceof HushError && e.code === "DELETED")) problems.push({ message: `Reading ${id} failed (${codeOf(e)}).`, fix: e instanceof HushError ? e.hint : "See docs/gcp.md." });
      }
    }
  }
  const detail = `${settings.source}: project ${s.project}${settings.location ? ` (${settings.location})` : ""} as ${who ?? "an unknown account"}; ${reachable ? "reachable" : "unreachable"}; ${read}.`;
  return { ok: problems.length === 0, detail, ...(problems.length > 0 ? { problems } : {}) };
}

// --- internal ---

async function identity(s: GcpSession): Promise<string | undefined> {
  const auth = (s.api as unknown as { auth?: { getCredentials?(): Promise<{ client_email?: string }> } }).auth;
  try {
    const email = (await auth?.getCredentials?.())?.client_email;
    return typeof email === "string" && /^[^\s@]{1,128}@[A-Za-z0-9.-]{1,128}$/.test(email) ? email : undefined;
  } catch {
    return undefined;
  }
}

function codeOf(e: unknown): string {
  return e instanceof HushError ? e.code : "an unexpected error";
}

function messageOf(e: unknown): string {
  return e instanceof HushError ? e.message : "An unexpected error (run with --debug).";
}
