import { deepEqual, equal } from "node:assert/strict";
import { shellSyntaxWarning } from "../../src/config/shell_syntax.ts";
import { loadConfig } from "../../src/config/load.ts";

const TAIL = "reach the program as written: no shell is involved; write sh -c '…' to use one";

Deno.test("shellSyntaxWarning() names $VAR, substitutions and shell operators", () => {
  equal(
    shellSyntaxWarning("AMPPILOT_LAUNCH_CMD", ["app", "--port", "$PORT", "&&", "echo", "done"]),
    `AMPPILOT_LAUNCH_CMD: "$PORT", "&&" ${TAIL}`,
  );
  equal(
    shellSyntaxWarning("X", ["app", "${HOME}/x", "$(date)", "`id`", "2>&1", ">>", "log"]),
    `X: "\${HOME}/x", "$(date)", "\`id\`", … ${TAIL}`,
  );
  for (const op of ["|", "||", ";", "&", ">", "<", "2>"]) {
    equal(shellSyntaxWarning("X", ["app", op, "b"]), `X: ${JSON.stringify(op)} ${TAIL}`, op);
  }
});

Deno.test("shellSyntaxWarning() leaves plain commands and shells' own scripts alone", () => {
  for (
    const argv of [
      ["app", "--price=5$", "a|b", "x&y", "--name", "$"],
      ["sh", "-c", "exec app --port $PORT > /tmp/log"],
      ["/bin/bash", "-c", "a && b"],
      [],
    ]
  ) equal(shellSyntaxWarning("X", argv), undefined, JSON.stringify(argv));
});

Deno.test("loadConfig() warns of shell syntax in the launch and ready commands, not on the command line", async () => {
  const { warnings } = await loadConfig({
    env: { AMPPILOT_LAUNCH_CMD: "app $PORT", AMPPILOT_READY_CMD: "curl x | grep ok" },
  });
  deepEqual(warnings, [
    `AMPPILOT_LAUNCH_CMD: "$PORT" ${TAIL}`,
    `AMPPILOT_READY_CMD: "|" ${TAIL}`,
  ]);
  const cli = await loadConfig({ env: {}, args: ["app", "$PORT"] });
  deepEqual(cli.warnings, []);
});
