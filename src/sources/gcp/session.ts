/**
 * What every part of the `gcp` source shares: the lazily made client, the project and parent
 * (`projects/<p>` or `projects/<p>/locations/<l>`), the call settings, and where a hush name lives
 * (the mapping model: `secrets.NAME.remote`, else `<prefix><name>`).
 */
import { HushError } from "../../errors.js";
import type { RemoteRef } from "../../config/types.js";
import type { RemoteWhere } from "../remote/errors.js";
import { sdkCallOptions, type CallSettings } from "./call.js";
import { createSecretManagerClient, type SecretManagerApi } from "./client.js";

/** The source's settings, from its options. */
export interface GcpSettings extends CallSettings {
  /** The source's name (`gcp`). */
  source: string;
  project?: string;
  location?: string;
  endpoint?: string;
  /** Prepended to a name to make its secret id. */
  prefix: string;
  /** `key=value` labels put on secrets hush creates, and used to filter lists. */
  labels: Record<string, string>;
  env: NodeJS.ProcessEnv;
  remoteRefs: Readonly<Record<string, RemoteRef>>;
  /** Rotation on version aliases is on: plain reads follow `hush-current` (see GcpSourceOptions.rotation). */
  rotation: boolean;
}

/** Where one hush name lives. */
export interface SecretLocation {
  /** `projects/<p>[/locations/<l>]/secrets/<id>` */
  secret: string;
  /** The version asked for: `latest`, a number or an alias. */
  version: string;
  property?: string;
  /** True when hush.yaml's `remote` gave it. */
  mapped: boolean;
  where: RemoteWhere;
}

/** A connected session: made on first use, shared by every call. */
export interface GcpSession {
  api: SecretManagerApi;
  /** `projects/<p>` or `projects/<p>/locations/<l>`. */
  parent: string;
  project: string;
  callOptions: object;
}

/** Returns a function that connects once (concurrent first calls share it) and hands the session. */
export function lazySession(settings: GcpSettings): { get(): Promise<GcpSession>; close(): Promise<void> } {
  let pending: Promise<GcpSession> | undefined;
  return {
    get() {
      pending ??= connect(settings).catch((e: unknown) => {
        pending = undefined; // a failed connect is tried again on the next call
        throw e;
      });
      return pending;
    },
    async close() {
      const p = pending;
      pending = undefined;
      if (p) await p.then((s) => s.api.close()).catch(() => undefined);
    },
  };
}

/** Where `name` lives; undefined when it cannot be a secret id (a `.` in it, and no `remote` entry). */
export function locate(settings: GcpSettings, session: Pick<GcpSession, "parent">, name: string, operation: string, version?: string): SecretLocation | undefined {
  const ref = settings.remoteRefs[name];
  const id = ref ? ref.key : `${settings.prefix}${name}`;
  const secret = id.startsWith("projects/") ? id : `${session.parent}/secrets/${id}`;
  if (!/^projects\/[^/]+(\/locations\/[^/]+)?\/secrets\/[A-Za-z0-9_-]{1,255}$/.test(secret)) return undefined;
  const where: RemoteWhere = { source: settings.source, operation, path: secret.split("/secrets/")[1], secret: name };
  return { secret, version: version ?? ref?.version ?? "latest", ...(ref?.property !== undefined ? { property: ref.property } : {}), mapped: ref !== undefined, where };
}

/** The number at the end of a version's resource name (`.../versions/3`). */
export function versionNumber(name: string | null | undefined): number | undefined {
  const m = /\/versions\/(\d+)$/.exec(name ?? "");
  return m ? Number(m[1]) : undefined;
}

// --- internal ---

async function connect(settings: GcpSettings): Promise<GcpSession> {
  const api = await createSecretManagerClient({ env: settings.env, ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}), ...(settings.location !== undefined ? { location: settings.location } : {}) });
  let project = settings.project ?? settings.env.GOOGLE_CLOUD_PROJECT ?? settings.env.GCLOUD_PROJECT;
  if (project === undefined) {
    try {
      project = await api.getProjectId();
    } catch (e) {
      await api.close().catch(() => undefined);
      throw new HushError("CONFIG_INVALID", `${settings.source}: no Google Cloud project is set, and Application Default Credentials name none.`, { cause: e, source: settings.source, hint: "Set `project:` in the source's options in hush.yaml, or GOOGLE_CLOUD_PROJECT." });
    }
  }
  const parent = settings.location ? `projects/${project}/locations/${settings.location}` : `projects/${project}`;
  return { api, parent, project, callOptions: sdkCallOptions(settings) };
}
