/**
 * The rotation stage of the `aws` source (docs/rotation.md), on AWS's own staging labels, as
 * AWS's documented rotation does it (createSecret / finishSecret of a rotation Lambda):
 *
 * - `stage`: PutSecretValue with `VersionStages: ["AWSPENDING"]` and a ClientRequestToken made
 *   once (a retried call makes one version), after a listing that refuses when a version is
 *   AWSPENDING already (ROTATION_IN_PROGRESS) or the secret has no AWSCURRENT (NOT_FOUND). AWS
 *   moves a label that is attached elsewhere instead of refusing, so two stages racing past the
 *   check both write; the listing after the write tells the one that lost the label, which then
 *   refuses too (ROTATION_IN_PROGRESS): one success.
 * - `getPending`: GetSecretValue with VersionStage AWSPENDING; ResourceNotFoundException is
 *   "none", any other failure throws.
 * - `promote`: UpdateSecretVersionStage moves AWSCURRENT to the pending version with
 *   RemoveFromVersionId = the current one (AWS refuses when AWSCURRENT has moved since: the
 *   check-and-set; AWS moves AWSPREVIOUS itself), then removes AWSPENDING from it. A promote cut
 *   between the two calls leaves a version both current and pending; promoting it again finishes.
 * - `discardPending`: UpdateSecretVersionStage with RemoveFromVersionId alone drops AWSPENDING
 *   (the version stays, unlabelled, until AWS deprecates it).
 *
 * Versions are hush's numbers of ./versions.ts (by creation time among the versions AWS keeps).
 */
import { randomUUID } from "node:crypto";
import { HushError } from "../../errors.js";
import type { SecretRecord } from "../../types.js";
import type { AwsSecretsClient } from "./client.js";
import { awsError, isAwsNotFound } from "./errors.js";
import { recordOf, type AwsTarget } from "./read.js";
import { listVersions, type AwsVersion } from "./versions.js";
import { assertWritable } from "./write.js";

const SOURCE = "aws";
const PENDING = "AWSPENDING";

/** Stages `value` as the pending version of `name`; see the module comment. */
export async function stageVersion(client: AwsSecretsClient, target: AwsTarget, name: string, value: string): Promise<SecretRecord> {
  assertWritable(target, name, value);
  const before = await listVersions(client, target.secretId, name);
  const pending = labelled(before, "pending");
  if (pending) throw inProgress(name, `has a pending version ${pending.version}: another rotation is under way or was interrupted`);
  if (!labelled(before, "current")) throw new HushError("NOT_FOUND", `"${name}" has no current value to rotate; set one first with \`hush set ${name}\`.`, { source: SOURCE, secret: name });
  const token = randomUUID();
  let versionId: string;
  try {
    versionId = (await client.putSecretValue({ SecretId: target.secretId, SecretString: value, ClientRequestToken: token, VersionStages: [PENDING] })).VersionId ?? token;
  } catch (e) {
    throw awsError(e, "stage a pending version of", target.secretId, name);
  }
  const mine = (await listVersions(client, target.secretId, name)).find((v) => v.id === versionId);
  if (!mine?.labels?.includes("pending")) throw inProgress(name, "was staged by another rotation at the same time, which holds AWSPENDING now");
  return { name, value, source: SOURCE, version: mine.version, updatedAt: mine.createdAt, location: `${target.secretId}@${versionId}` };
}

/** The AWSPENDING version's record with its number, or undefined when no version is pending. */
export async function readPending(client: AwsSecretsClient, target: AwsTarget, name: string): Promise<SecretRecord | undefined> {
  let entry;
  try {
    entry = await client.getSecretValue({ SecretId: target.secretId, VersionStage: PENDING });
  } catch (e) {
    if (isAwsNotFound(e)) return undefined;
    throw awsError(e, "read the pending version of", target.secretId, name);
  }
  const found = (await listVersions(client, target.secretId, name)).find((v) => v.id === entry.VersionId);
  if (!found) throw new HushError("CONCURRENT_MODIFICATION", `The pending version of "${name}" changed while it was read; read it again.`, { source: SOURCE, secret: name });
  const record = recordOf(name, { secretId: target.secretId }, entry, SOURCE);
  return record && { ...record, version: found.version };
}

/** Makes pending version `version` AWSCURRENT (the old one AWSPREVIOUS) and drops its AWSPENDING; see the module comment. */
export async function promoteVersion(client: AwsSecretsClient, target: AwsTarget, name: string, version: number): Promise<SecretRecord> {
  const versions = await listVersions(client, target.secretId, name);
  const chosen = versions.find((v) => v.version === version);
  const pending = labelled(versions, "pending");
  const current = labelled(versions, "current");
  const alreadyDone = chosen !== undefined && pending === undefined && current?.id === chosen.id; // a retry after a lost reply
  if (!alreadyDone && (!chosen || pending?.id !== chosen.id)) {
    throw inProgress(name, `has no pending version ${version}${pending ? ` (version ${pending.version} is)` : " (none is pending)"}: another rotation finished or replaced it`);
  }
  if (current && current.version > version) throw overtaken(name, version);
  if (!alreadyDone && current?.id !== chosen.id) {
    try {
      await client.updateSecretVersionStage({ SecretId: target.secretId, VersionStage: "AWSCURRENT", MoveToVersionId: chosen.id, ...(current ? { RemoveFromVersionId: current.id } : {}) });
    } catch (e) {
      // AWSCURRENT no longer on the version listed as current: written in between.
      if ((e as { name?: unknown }).name === "InvalidParameterException") throw overtaken(name, version);
      throw awsError(e, "make the pending version current of", target.secretId, name);
    }
  }
  if (!alreadyDone) await removePending(client, target, name, chosen.id);
  return readVersionRecord(client, target, name, chosen!);
}

/** Removes AWSPENDING from version `version`; false when it is not the pending one. */
export async function discardPending(client: AwsSecretsClient, target: AwsTarget, name: string, version: number): Promise<boolean> {
  const pending = labelled(await listVersions(client, target.secretId, name), "pending");
  if (!pending || pending.version !== version) return false;
  await removePending(client, target, name, pending.id);
  return true;
}

// --- internal ---

function labelled(versions: readonly AwsVersion[], label: string): AwsVersion | undefined {
  return versions.find((v) => v.labels?.includes(label));
}

async function removePending(client: AwsSecretsClient, target: AwsTarget, name: string, versionId: string): Promise<void> {
  try {
    await client.updateSecretVersionStage({ SecretId: target.secretId, VersionStage: PENDING, RemoveFromVersionId: versionId });
  } catch (e) {
    throw awsError(e, "remove the pending label of", target.secretId, name);
  }
}

async function readVersionRecord(client: AwsSecretsClient, target: AwsTarget, name: string, v: AwsVersion): Promise<SecretRecord> {
  let record: SecretRecord | undefined;
  try {
    record = recordOf(name, { secretId: target.secretId }, await client.getSecretValue({ SecretId: target.secretId, VersionId: v.id }), SOURCE);
  } catch (e) {
    throw awsError(e, "read the promoted version of", target.secretId, name);
  }
  if (!record) throw new HushError("VERSION_NOT_FOUND", `Version ${v.version} of "${name}" is not in AWS Secrets Manager after its promotion.`, { source: SOURCE, secret: name });
  return { ...record, version: v.version };
}

function inProgress(name: string, what: string): HushError {
  return new HushError("ROTATION_IN_PROGRESS", `"${name}" ${what}.`, { source: SOURCE, secret: name });
}

function overtaken(name: string, version: number): HushError {
  return new HushError("CONCURRENT_MODIFICATION", `"${name}" was written after version ${version} was staged; its rotation cannot finish on top of a newer value.`, { source: SOURCE, secret: name });
}
