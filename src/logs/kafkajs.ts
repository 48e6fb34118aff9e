/**
 * kafkajs, pinned here and imported only when Kafka shipping is on (it costs ~100 ms of
 * startup): `await import("./kafkajs.ts")`.
 *
 * @module
 */

import process from "node:process";

// kafkajs sets timers with negative delays, which Node's compatibility layer reports as a
// TimeoutNegativeWarning on stderr: the mate's stderr passes through there, so keep it clean.
process.removeAllListeners("warning");
process.emitWarning = () => {};

export { Kafka, logLevel, Partitioners } from "npm:kafkajs@^2.2.4";
export type { ICustomPartitioner, Producer } from "npm:kafkajs@^2.2.4";
