/**
 * Fields of `/proc/<pid>/stat`.
 *
 * @module
 */

/**
 * The fields of a process's `/proc/<pid>/stat` from the third (state) on: index 1 is the parent's
 * pid, 11 and 12 the user and system CPU ticks. The command name before them may hold spaces and
 * parentheses, so the fields are read after its last ")".
 */
export function procStatFields(pid: number | string): string[] {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}
