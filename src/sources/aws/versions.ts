/**
 * Versions of the `aws` source. AWS names versions by id (a UUID) and marks them with staging
 * labels; hush numbers them 1, 2, 3... by creation time among the versions AWS still keeps
 * (ListSecretVersionIds with IncludeDeprecated), and shows the labels as `current`, `pending`,
 * `previous`. AWS drops the oldest unlabelled versions past about 100, so a number is stable
 * only while the versions before it are kept; the id is in each record's `location`.
 */
import type { SecretVersionInfo } from "../../types.js";
import type { AwsSecretsClient, AwsVersionEntry } from "./client.js";
import { awsError, isAwsNotFound } from "./errors.js";
import { labelOfStage } from "./read.js";

/** A version with its number and id. */
export interface AwsVersion extends SecretVersionInfo {
  id: string;
}

/** The versions of `secretId`, newest first; empty when AWS does not have it. */
export async function listVersions(client: AwsSecretsClient, secretId: string, name: string): Promise<AwsVersion[]> {
  const entries: AwsVersionEntry[] = [];
  let token: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await client.listSecretVersionIds({ SecretId: secretId, IncludeDeprecated: true, NextToken: token });
      entries.push(...(out.Versions ?? []));
      token = out.NextToken;
      if (!token) break;
    }
  } catch (e) {
    if (isAwsNotFound(e)) return [];
    throw awsError(e, "list the versions of", secretId, name);
  }
  const dated = entries
    .filter((v): v is AwsVersionEntry & { VersionId: string } => typeof v.VersionId === "string")
    .sort((a, b) => (a.CreatedDate?.getTime() ?? 0) - (b.CreatedDate?.getTime() ?? 0));
  return dated
    .map((v, i) => {
      const info: AwsVersion = { version: i + 1, id: v.VersionId, createdAt: v.CreatedDate ?? new Date(0) };
      if (v.VersionStages && v.VersionStages.length > 0) info.labels = v.VersionStages.map(labelOfStage);
      return info;
    })
    .reverse();
}

// --- internal ---

/** ListSecretVersionIds pages of 100 (its maximum): far above the ~100 versions AWS keeps. */
const MAX_PAGES = 50;
