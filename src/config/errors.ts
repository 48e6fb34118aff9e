/**
 * The error raised when the configuration cannot be used.
 *
 * @module
 */

/** Exit code of the pilot on a configuration error. */
export const CONFIG_ERROR_EXIT_CODE = 2;

/** Every problem found in the configuration, one line each. */
export class ConfigError extends Error {
  /** One line per problem, naming the variable or conffile key, the value and what is expected. */
  readonly problems: readonly string[];

  /** Creates the error from its problems (at least one). */
  constructor(problems: readonly string[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration (${problems.length} problems):\n${problems.join("\n")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}
