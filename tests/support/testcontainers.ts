/**
 * The testcontainers library, pinned in one place and imported only by container-mode tests.
 *
 * @module
 */

export { GenericContainer, Wait } from "npm:testcontainers@^12.2.0";
