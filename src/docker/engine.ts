/**
 * The two Docker Engine API calls the loader needs, over the unix socket with `fetch`.
 *
 * @module
 */

import { BodyTooLargeError, readTextAtMost } from "../net/read_body.ts";
import { after } from "../timer.ts";

/** The largest answer read: an inspection takes a few KiB, or some hundreds with many labels. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** A failed Engine API call; the message says which and why. */
export class DockerError extends Error {
  /** HTTP status, when the engine answered. */
  readonly status: number | undefined;
  /** Creates it. */
  constructor(message: string, status?: number) {
    super(message);
    this.name = "DockerError";
    this.status = status;
  }
}

/** What the loader reads of a container (`GET /containers/{id}/json`). */
export interface ContainerInfo {
  /** Full id. */
  readonly Id: string;
  /** Image id. */
  readonly Image: string;
  /** Labels, healthcheck, exposed ports of the container. */
  readonly Config?: {
    readonly Labels?: Record<string, string> | null;
    readonly Healthcheck?: { readonly Test?: string[] } | null;
    readonly ExposedPorts?: Record<string, unknown> | null;
    readonly Image?: string;
  };
}

/** What the loader reads of an image (`GET /images/{id}/json`). */
export interface ImageInfo {
  /** Entrypoint, Cmd, exposed ports and healthcheck of the image. */
  readonly Config?: {
    readonly Entrypoint?: string[] | null;
    readonly Cmd?: string[] | null;
    readonly ExposedPorts?: Record<string, unknown> | null;
    readonly Healthcheck?: { readonly Test?: string[] } | null;
  };
}

/** The Docker Engine API on a unix socket. Close it when done. */
export class DockerEngine {
  readonly #socket: string;
  readonly #client: Deno.HttpClient;
  readonly #timeoutMs: number;

  /** Creates a client; no request is made. */
  constructor(socket: string, timeoutMs = 3_000) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    this.#client = Deno.createHttpClient({ proxy: { transport: "unix", path: socket } });
  }

  /** Releases the client. */
  close(): void {
    this.#client.close();
  }

  /** Inspects a container: its JSON, of any shape (`engine_answer.ts` reads it). */
  inspectContainer(id: string): Promise<unknown> {
    return this.#get(`/containers/${encodeURIComponent(id)}/json`);
  }

  /** Inspects an image: its JSON, of any shape (`engine_answer.ts` reads it). */
  inspectImage(id: string): Promise<unknown> {
    return this.#get(`/images/${encodeURIComponent(id)}/json`);
  }

  async #get(path: string): Promise<unknown> {
    const call = `GET ${path} on ${this.#socket}`;
    const controller = new AbortController();
    const timer = after(this.#timeoutMs, () => controller.abort());
    try {
      const response = await fetch(`http://docker${path}`, {
        client: this.#client,
        signal: controller.signal,
      });
      const text = await readTextAtMost(response, MAX_ANSWER_BYTES);
      if (!response.ok) {
        let message = text.trim();
        try {
          message = JSON.parse(text).message ?? message;
        } catch { /* keep the text */ }
        throw new DockerError(`${call}: HTTP ${response.status}: ${message}`, response.status);
      }
      try {
        return JSON.parse(text);
      } catch {
        throw new DockerError(`${call}: the engine answered with something that is not JSON`);
      }
    } catch (e) {
      if (e instanceof DockerError) throw e;
      if (e instanceof BodyTooLargeError) throw new DockerError(`${call}: ${e.message}`);
      if (controller.signal.aborted) {
        throw new DockerError(`${call}: no answer within ${this.#timeoutMs} ms`);
      }
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
      const reason = /Permission denied|EACCES/i.test(cause)
        ? "permission denied"
        : /No such file|ENOENT/i.test(cause)
        ? "the socket does not exist"
        : /Connection refused/i.test(cause)
        ? "connection refused (is the engine running?)"
        : cause;
      throw new DockerError(`${call}: ${reason}`);
    } finally {
      timer.cancel();
    }
  }
}
