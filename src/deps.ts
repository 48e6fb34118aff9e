/**
 * The project's third-party dependencies, pinned in one place.
 *
 * Specifiers are fully qualified (`npm:…`) so that `deno run <URL>/main.ts` works: a remote
 * entrypoint ignores the `imports` of `deno.json`.
 *
 * @module
 */

// zod is imported only by src/config/dependency_list.ts, loaded for a conffile's dependency list
// (importing it costs 23-39 ms of startup and ~9 MB of RSS).
export { z } from "npm:zod@^4.6.7";
