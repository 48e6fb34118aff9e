/**
 * The adapters the shell drives, gathered so that a run loads only those it needs: direct mode
 * reads nothing of Consul, a run without Kafka no line splitting, a run without a ready command
 * no ready check (issue #14: Deno reads every statically imported module at start).
 *
 * @module
 */

export { ConsulClient } from "../consul/client.ts";
export { dependencyMeta, WAITING_META_KEY } from "../consul/dependency_meta.ts";
export { watchDependency } from "../consul/dependency_watcher.ts";
export { findDependencyCycle } from "../consul/cycle_probe.ts";
export { DEREGISTER_TIMEOUT_MS, Registration } from "../consul/registration.ts";
