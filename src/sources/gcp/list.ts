/**
 * `list()` of the `gcp` source: `listSecrets` page by page (`pageToken` / `nextPageToken`), filtered
 * on Google's side by the prefix (`name:<prefix>`) and the source's labels (`labels.KEY=VALUE`), then
 * checked here (Google's `name:` matches anywhere in the id, not only at its start). A secret that
 * a `secrets.NAME.remote` entry maps is listed under that name.
 */
import { isValidName } from "../../names.js";
import { callGoogle } from "./call.js";
import type { ListRequest, SecretReply } from "./client.js";
import { MAX_PAGES } from "./read.js";
import type { GcpSession, GcpSettings } from "./session.js";

/** The hush names the source holds, without values. */
export async function listNames(settings: GcpSettings, session: GcpSession): Promise<string[]> {
  const mapped = mappedIds(settings, session);
  const outsidePrefix = [...mapped.keys()].some((id) => !id.startsWith(withoutProject(`${session.parent}/secrets/${settings.prefix}`)));
  const terms = [...(settings.prefix !== "" && !outsidePrefix ? [`name:${settings.prefix}`] : []), ...Object.entries(settings.labels).map(([k, v]) => `labels.${k}=${v}`)];
  const secrets = await listSecrets(settings, session, terms.join(" AND "));
  const names = new Set<string>();
  for (const s of secrets) {
    const id = (s.name ?? "").split("/secrets/")[1] ?? "";
    const byRef = mapped.get(withoutProject(s.name ?? ""));
    if (byRef) for (const n of byRef) names.add(n);
    else if (id.startsWith(settings.prefix) && isValidName(id.slice(settings.prefix.length))) names.add(id.slice(settings.prefix.length));
  }
  return [...names];
}

/** The secrets under the parent that match `filter`, following up to `maxPages` pages (every page by default). */
export async function listSecrets(settings: GcpSettings, session: GcpSession, filter: string, pageSize = 25000, maxPages = MAX_PAGES): Promise<SecretReply[]> {
  const found: SecretReply[] = [];
  let request: ListRequest | null = { parent: session.parent, pageSize, ...(filter !== "" ? { filter } : {}) };
  for (let page = 0; request && page < maxPages; page++) {
    const ask: ListRequest = request;
    const r = await callGoogle(settings, { source: settings.source, operation: "list", path: session.parent }, () => session.api.listSecrets(ask, { ...session.callOptions, autoPaginate: false }));
    if (!r.ok) break;
    found.push(...r.value[0]);
    request = r.value[1] ?? null;
  }
  return found;
}

// --- internal ---

/** `projects/<id or number>/rest` -> `/rest`: Google's replies name the project by number, hush.yaml by id. */
function withoutProject(name: string): string {
  return name.replace(/^projects\/[^/]+/, "");
}

/** Secret name without its project -> the hush names that `remote` entries map to it. */
function mappedIds(settings: GcpSettings, session: GcpSession): Map<string, string[]> {
  const byId = new Map<string, string[]>();
  for (const [name, ref] of Object.entries(settings.remoteRefs)) {
    const full = ref.key.startsWith("projects/") ? ref.key : `${session.parent}/secrets/${ref.key}`;
    byId.set(withoutProject(full), [...(byId.get(withoutProject(full)) ?? []), name]);
  }
  return byId;
}
