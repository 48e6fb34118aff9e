/**
 * kafkajs, pinned here and used by the tests and the benchmark as an independent Kafka client (a consumer and an
 * admin) that checks what the pilot ships; the pilot itself does not use it.
 *
 * @module
 */

import process from "node:process";

// kafkajs sets timers with negative delays, which Node's compatibility layer reports as a
// TimeoutNegativeWarning on stderr: keep the test output readable.
process.removeAllListeners("warning");
process.emitWarning = () => {};

export { Kafka, logLevel, Partitioners } from "npm:kafkajs@^2.2.4";
export type { ICustomPartitioner, Producer } from "npm:kafkajs@^2.2.4";
