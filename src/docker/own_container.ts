/**
 * Finding the id of the container the pilot runs in: `$HOSTNAME` (Docker's default hostname is
 * the short id), else `/proc/self/cgroup` (`…/docker/<id>` on cgroup v1, `docker-<id>.scope`
 * with systemd), else `/proc/self/mountinfo` (`/docker/containers/<id>/…`). With host
 * networking the hostname is the machine's, so the files decide.
 *
 * @module
 */

const FULL_ID = /^[0-9a-f]{64}$/;
const CGROUP_ID = /(?:\/docker[/-]|docker-)([0-9a-f]{64})(?:\.scope)?/g;
const MOUNT_ID = /\/(?:docker\/)?containers\/([0-9a-f]{64})\//;
const SHORT_ID = /^[0-9a-f]{12}$/;

/** The container id found in the text of `/proc/self/cgroup`, if any. */
export function idFromCgroup(text: string): string | undefined {
  for (const line of text.split("\n")) {
    // Docker in Docker (cgroup v1) names the outer container first: the last id is this one.
    const last = [...line.matchAll(CGROUP_ID)].at(-1);
    if (last) return last[1];
  }
  return undefined;
}

/** The container id found in the text of `/proc/self/mountinfo`, if any. */
export function idFromMountinfo(text: string): string | undefined {
  for (const line of text.split("\n")) {
    const m = MOUNT_ID.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** The candidates to ask the engine about, best first. */
export function containerIdCandidates(
  hostname: string | undefined,
  cgroup: string | undefined,
  mountinfo: string | undefined,
): string[] {
  const candidates: string[] = [];
  const fromFiles = (cgroup && idFromCgroup(cgroup)) || (mountinfo && idFromMountinfo(mountinfo));
  if (fromFiles) candidates.push(fromFiles);
  if (hostname && (SHORT_ID.test(hostname) || FULL_ID.test(hostname))) {
    if (!fromFiles || !fromFiles.startsWith(hostname)) candidates.push(hostname);
  }
  return candidates;
}

/** Reads the files and the hostname; missing ones count as absent. */
export function ownContainerCandidates(
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const read = (path: string) => {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      return undefined;
    }
  };
  return containerIdCandidates(
    env.HOSTNAME,
    read("/proc/self/cgroup"),
    read("/proc/self/mountinfo"),
  );
}
