/**
 * The program the tests run as a child process: `main.ts`, or the file `AMP_PILOT_ENTRY` names
 * (an absolute path), such as the release's bundle (`deno task test:bundle`).
 *
 * @module
 */

/** The path given to `deno run` to start amp-pilot. */
export const PILOT_ENTRY: string = Deno.env.get("AMP_PILOT_ENTRY") ||
  new URL("../../main.ts", import.meta.url).pathname;
