import { equal } from "node:assert/strict";
import { redactUrlCredentials, redactValue, showText } from "../../src/config/redact.ts";

Deno.test("redactUrlCredentials() hides passwords with and without a scheme", () => {
  equal(redactUrlCredentials("http://u:pw@c:8500"), "http://u:<redacted>@c:8500");
  equal(redactUrlCredentials("user:pw@consul:8500"), "user:<redacted>@consul:8500");
  equal(redactUrlCredentials('"user:pw@consul:8500"'), '"user:<redacted>@consul:8500"');
  equal(redactUrlCredentials(":pw@consul:8500"), ":<redacted>@consul:8500");
  // The password runs to the last @, whatever it holds.
  equal(redactUrlCredentials("u:p@ss/w@rd@k:9092"), "u:<redacted>@k:9092");
  equal(redactUrlCredentials("https://u:p@s/s@h:1"), "https://u:<redacted>@h:1");
  equal(redactUrlCredentials("a:1@h1:9092,b:2@h2:9092"), "a:<redacted>@h2:9092");
});

Deno.test("redactUrlCredentials() leaves addresses without a password as they are", () => {
  for (const text of ["consul:8500", "http://consul:8500", "[::1]:8500", "user@host:8500"]) {
    equal(redactUrlCredentials(text), text);
  }
});

Deno.test("redactValue() never shows the token and shortens long values", () => {
  equal(redactValue("consulToken", "abc"), "<redacted>");
  equal(redactValue("consul", "u:pw@c:1"), '"u:<redacted>@c:1"');
  equal(redactValue("name", "x".repeat(200)), `"${"x".repeat(119)}…(202 chars)`);
});

Deno.test("showText() shows plain text as it is and quotes what would break a line", () => {
  equal(showText("/run/secrets/token"), "/run/secrets/token");
  equal(showText("/a\nb"), '"/a\\nb"');
  equal(showText("bell\u0007"), '"bell\\u0007"');
  equal(showText(' spaced "path" '), '" spaced \\"path\\" "');
  equal(showText("u:pw@h:1"), "u:<redacted>@h:1");
});
