/**
 * Lists of the fake Secret Manager: `pageSize`, `pageToken` / `nextPageToken` (opaque to the
 * client) and the `filter` forms hush uses (https://cloud.google.com/secret-manager/docs/filtering):
 * `name:TEXT` (the id contains TEXT), `labels.KEY=VALUE`, `labels.KEY:*` (has the label) and
 * `state:ENABLED` (versions), joined by spaces or `AND`. Anything else is INVALID_ARGUMENT, so a
 * source that sends a filter the fake does not know fails loudly instead of listing everything.
 */
import type { FakeRequest, FakeResponse } from "./http-fake.js";
import { googleError } from "./gcp-common.js";

/** What a filter looks at. */
export interface FilterTarget {
  id: string;
  labels: Record<string, string>;
  state?: string;
  json: object;
}

/** A page of `items` (as `key`: `secrets` or `versions`) with the request's filter and paging. */
export function listReply(req: FakeRequest, items: FilterTarget[], maxPageSize: number, key: string): FakeResponse {
  const filter = req.query.get("filter") ?? "";
  let matched: FilterTarget[];
  try {
    matched = items.filter((t) => matchesFilter(filter, t));
  } catch {
    return googleError("INVALID_ARGUMENT", "Invalid filter.");
  }
  if (key === "versions") matched.reverse(); // newest first, as the API lists them
  const asked = Number(req.query.get("pageSize") ?? "0");
  const size = Math.min(asked > 0 ? asked : maxPageSize, maxPageSize);
  const token = req.query.get("pageToken") ?? "";
  const start = token === "" ? 0 : Number(Buffer.from(token, "base64url").toString("utf8").replace(/^offset:/, ""));
  if (!Number.isInteger(start) || start < 0 || start > matched.length) return googleError("INVALID_ARGUMENT", "Invalid page token.");
  const page = matched.slice(start, start + size);
  const json: Record<string, unknown> = { [key]: page.map((t) => t.json), totalSize: matched.length };
  if (start + size < matched.length) json.nextPageToken = Buffer.from(`offset:${start + size}`).toString("base64url");
  return { status: 200, json };
}

/** True when `t` matches `filter` (empty: everything); throws on a form the fake does not know. */
export function matchesFilter(filter: string, t: FilterTarget): boolean {
  const terms = filter.split(/\s+(?:AND\s+)?/).filter((s) => s !== "" && s !== "AND");
  return terms.every((term) => {
    let m = /^name:(.+)$/.exec(term);
    if (m) return t.id.includes(unquote(m[1]!));
    m = /^labels\.([a-z0-9_-]+):\*$/.exec(term);
    if (m) return m[1]! in t.labels;
    m = /^labels\.([a-z0-9_-]+)=(.+)$/.exec(term);
    if (m) return t.labels[m[1]!] === unquote(m[2]!);
    m = /^state:(ENABLED|DISABLED|DESTROYED)$/.exec(term);
    if (m) return t.state === m[1];
    throw new Error("unknown filter term");
  });
}

function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}
