/**
 * A check for timers left behind. Deno's op sanitizer does not see the timers of src/timer.ts
 * (they run on `AbortSignal.timeout`), so a test file that runs code using them ends with this.
 *
 * @module
 */

import { pendingTimers } from "../../src/timer.ts";

/**
 * Declares, where it is called, a test failing when the tests declared before it in the file left
 * a timer of src/timer.ts pending (scheduled, neither run nor cancelled).
 */
export function testNoTimerLeftPending(): void {
  Deno.test("no timer of src/timer.ts is left pending by the tests above", () => {
    const left = pendingTimers();
    if (left !== 0) throw new Error(`${left} timer(s) left pending`);
  });
}
