import { deepEqual, equal, ok } from "node:assert/strict";
import { after, every, pendingTimers, sleep, within } from "../src/timer.ts";
import { testNoTimerLeftPending } from "./support/timers.ts";

const SRC = new URL("../src/", import.meta.url);
const TIMER = new URL("../src/timer.ts", import.meta.url).href;

Deno.test("after runs its callback once, no earlier than its delay", async () => {
  const started = performance.now();
  let runs = 0;
  let ranAt = 0;
  after(30, () => {
    runs++;
    ranAt = performance.now();
  });
  await sleep(150);
  equal(runs, 1);
  // Timers may fire up to a millisecond early by the clock's rounding.
  ok(ranAt - started >= 29, `ran after ${ranAt - started} ms`);
});

Deno.test("a cancelled timer does not run, and cancelling twice or after the run is harmless", async () => {
  let runs = 0;
  const timer = after(20, () => runs++);
  timer.cancel();
  timer.cancel();
  const ran = after(0, () => runs++);
  await sleep(80);
  ran.cancel();
  equal(runs, 1);
});

Deno.test("a delay that is negative, not a number or too long is clamped, never thrown on", async () => {
  const ran: string[] = [];
  after(-5, () => ran.push("negative"));
  after(Number.NaN, () => ran.push("NaN"));
  const far = after(Number.POSITIVE_INFINITY, () => ran.push("infinite"));
  const past = after(2 ** 31 + 5, () => ran.push("past the longest")); // setTimeout fires it at once
  await sleep(50);
  far.cancel();
  past.cancel();
  deepEqual(ran.sort(), ["NaN", "negative"]);
});

Deno.test("every runs each period until cancelled, also from its own callback", async () => {
  let runs = 0;
  let third: () => void = () => {};
  const thirdRun = new Promise<void>((resolve) => (third = resolve));
  const timer = every(10, () => {
    runs++;
    if (runs === 3) {
      timer.cancel();
      third();
    }
  });
  await thirdRun;
  await sleep(100); // ten more periods
  equal(runs, 3);
});

Deno.test("within waits for the promise, or no longer than its delay, and passes a rejection on", async () => {
  equal(await within(5_000, Promise.resolve("done")), undefined);
  const never = new Promise<void>(() => {});
  const started = performance.now();
  await within(20, never);
  ok(performance.now() - started >= 19);
  let rejected: unknown;
  await within(5_000, Promise.reject(new Error("refused"))).catch((e) => (rejected = e));
  ok(rejected instanceof Error && rejected.message === "refused");
  equal(pendingTimers(), 0, "the timer of a promise that won is cancelled");
});

/** Runs a program in a fresh Deno and returns what it printed, or fails after a minute. */
async function runProgram(code: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", code],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const { stdout, stderr, success } = await child.output();
    const text = new TextDecoder().decode(stdout);
    ok(success, `the program failed: ${new TextDecoder().decode(stderr)}`);
    return text;
  } finally {
    clearTimeout(guard);
  }
}

Deno.test("a cancelled timer holds no process up, a pending one does until it runs", async () => {
  // A program that ends with a ten-minute timer cancelled ends at once (the guard would kill it
  // after a minute, and it would then not have printed "end").
  const cancelled = await runProgram(`
    import { after, every, pendingTimers } from "${TIMER}";
    after(600_000, () => console.log("ran")).cancel();
    every(600_000, () => console.log("ran")).cancel();
    globalThis.addEventListener("unload", () => console.log("end", pendingTimers()));
  `);
  equal(cancelled.trim(), "end 0");
  const pending = await runProgram(`
    import { after } from "${TIMER}";
    after(100, () => console.log("ran"));
    globalThis.addEventListener("unload", () => console.log("end"));
  `);
  deepEqual(pending.trim().split("\n"), ["ran", "end"]);
  const repeating = await runProgram(`
    import { every } from "${TIMER}";
    let runs = 0;
    const timer = every(20, () => {
      if (++runs === 3) timer.cancel();
    });
    globalThis.addEventListener("unload", () => console.log("end after", runs));
  `);
  equal(repeating.trim(), "end after 3");
});

Deno.test("no module of src/ uses setTimeout or setInterval (they load Deno's Node timers)", async () => {
  const offenders: string[] = [];
  const walk = async (dir: URL): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
      if (entry.isDirectory) await walk(url);
      else if (entry.name.endsWith(".ts") && url.href !== TIMER) {
        const text = await Deno.readTextFile(url);
        // Comments may name them; a `//` inside a string ("http://…") ends no line here.
        const code = text.replace(/\/\*[\s\S]*?\*\/|(^|\s)\/\/.*$/gm, "");
        if (/\b(setTimeout|setInterval|clearTimeout|clearInterval)\b/.test(code)) {
          offenders.push(url.pathname.slice(SRC.pathname.length));
        }
      }
    }
  };
  await walk(SRC);
  deepEqual(offenders, []);
});

testNoTimerLeftPending();
