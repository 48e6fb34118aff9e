/**
 * The metadata of one pilot's Kafka records, shared by the record format tests.
 *
 * @module
 */

import type { RecordMetadata } from "../../src/logs/record.ts";

/** A pilot's metadata with every field set. */
export const META: RecordMetadata = {
  serviceName: "web",
  serviceId: "web-1",
  nodeId: "n1",
  containerId: "abc123def",
  containerShortId: "abc123",
  hostIp: "10.0.0.2",
};
