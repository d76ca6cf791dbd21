/**
 * Copies a folder as `cp -a` does, keeping every mode. Node 24's `fs.cpSync` creates the copied
 * folders with the umask's mode (0755), so a copied `.secrets/` would be refused as readable by
 * others; a user's `cp -a` or `rsync -a` keeps 0700, which is what these tests mean to model.
 */
import { execFileSync } from "node:child_process";

/** `cp -a from to` (`to` must not exist yet). */
export function copyTree(from: string, to: string): void {
  execFileSync("cp", ["-a", from, to]);
}
