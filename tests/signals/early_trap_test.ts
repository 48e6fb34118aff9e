import { deepEqual, equal } from "node:assert/strict";
import { SignalTrap } from "../../src/signals/early_trap.ts";

/** Sends `signal` to this process and waits until the trap has it. */
async function raise(signal: Deno.Signal, seen: () => number): Promise<void> {
  const before = seen();
  Deno.kill(Deno.pid, signal);
  while (seen() === before) await new Promise((resolve) => setTimeout(resolve, 5));
}

Deno.test("SignalTrap.arrival() resolves with a signal that is pending or comes, and keeps it pending", async () => {
  const trap = new SignalTrap(["SIGUSR1", "SIGUSR2"]);
  try {
    let settled: Deno.Signal | undefined;
    const waiting = trap.arrival(["SIGUSR2"]).then((signal) => (settled = signal));
    await raise("SIGUSR1", () => trap.pending.length);
    equal(settled, undefined, "a signal it does not wait for leaves it waiting");
    await raise("SIGUSR2", () => trap.pending.length);
    equal(await waiting, "SIGUSR2");
    equal(await trap.arrival(["SIGUSR1"]), "SIGUSR1", "an already pending signal resolves at once");
    deepEqual(trap.pending, ["SIGUSR1", "SIGUSR2"]);

    const handled: Deno.Signal[] = [];
    trap.handOff((signal) => handled.push(signal));
    deepEqual(handled, ["SIGUSR1", "SIGUSR2"], "the handler still gets every signal, in order");
  } finally {
    trap.close();
  }
});

Deno.test("SignalTrap.arrival() never resolves once the signals are handed off", async () => {
  const trap = new SignalTrap(["SIGUSR1"]);
  try {
    let settled = false;
    trap.arrival(["SIGUSR1"]).then(() => (settled = true));
    const handled: Deno.Signal[] = [];
    trap.handOff((signal) => handled.push(signal));
    trap.arrival(["SIGUSR1"]).then(() => (settled = true));
    await raise("SIGUSR1", () => handled.length);
    await new Promise((resolve) => setTimeout(resolve, 0));
    equal(settled, false, "the handler has the signal, no arrival() does");
    deepEqual(handled, ["SIGUSR1"]);
  } finally {
    trap.close();
  }
});
