/**
 * The version of amp-pilot, read from its one place: `deno.json`.
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };

/** The version of amp-pilot. */
export const VERSION: string = denoJson.version;
