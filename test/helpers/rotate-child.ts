/**
 * Child process for the rotation crash test (bundled by test/helpers/bundle.ts): rotates
 * `api_token` in the project folder with a `command` rotator whose `set` step touches
 * `<dir>/set-started` and then hangs (15 s, so an orphaned `sleep` ends by itself), so the parent can SIGKILL it between create (pending
 * stored) and finish. Usage: rotate-child <projectDir>
 */
import { rotateSecret } from "../../src/workflows/rotate.js";

const [dir] = process.argv.slice(2);
await rotateSecret({
  cwd: dir!,
  name: "api_token",
  graceMs: 0,
  rotator: { type: "command", options: { set: "cat > /dev/null; touch set-started; sleep 15" } },
});
process.stdout.write("finished\n"); // never reached when the parent kills it
