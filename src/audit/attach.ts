/**
 * `attachAudit`: audits an existing manager through `onAccess`, for callers that did not pass
 * an auditor at creation. Listeners cannot deny an access, so this is best-effort only; for
 * fail-closed auditing pass `createAuditor({ mode: "required", ... })` as the manager's `audit`
 * option instead.
 */
import { HushError } from "../errors.js";
import type { AccessEvent } from "../types.js";
import { createAuditor, type Auditor, type AuditorOptions } from "./auditor.js";

/** The part of the manager `attachAudit` uses. */
export interface AuditableManager {
  readonly environment: string;
  readonly secretsDir: string;
  onAccess(listener: (event: AccessEvent) => void | Promise<void>): () => void;
}

/** Options of {@link attachAudit}: the auditor's, with environment and folder from the manager. */
export type AttachAuditOptions = Omit<AuditorOptions, "environment" | "secretsDir" | "mode"> & { mode?: "best-effort" };

/**
 * Subscribes a best-effort auditor to `manager`'s access events. `close()` unsubscribes and flushes.
 * @example
 * const auditor = attachAudit(hush, { stderr: true });
 * ...; await auditor.close();
 */
export function attachAudit(manager: AuditableManager, options: AttachAuditOptions = {}): Auditor {
  if ((options as { mode?: string }).mode === "required") {
    throw new HushError("INVALID_ARGUMENT", "attachAudit is best-effort only: an access listener cannot deny an access.", {
      hint: "For fail-closed audit pass createAuditor({ mode: \"required\", ... }) as createSecretsManager's `audit` option.",
    });
  }
  const auditor = createAuditor({ ...options, mode: "best-effort", environment: manager.environment, secretsDir: manager.secretsDir });
  const unsubscribe = manager.onAccess((e) => {
    auditor.record(e);
  });
  return {
    ...auditor,
    async close() {
      unsubscribe();
      await auditor.close();
    },
  };
}
