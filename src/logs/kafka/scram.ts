/**
 * The client side of SASL SCRAM (RFC 5802, with SHA-256 per RFC 7677 and SHA-512 as Kafka uses
 * it): the first message, the final message with the proof, and the check of the server's
 * signature. Pure apart from WebCrypto; the Kafka exchange around it is in `sasl.ts`.
 *
 * @module
 */

/** Kafka's own maximum of SCRAM iterations (a broker refuses to store credentials above it). */
const MAX_ITERATIONS = 16_384;
/** How much of a malformed server message an error shows. */
const SHOWN_CHARS = 120;

/** The SCRAM mechanisms Kafka offers. */
export type ScramMechanism = "SCRAM-SHA-256" | "SCRAM-SHA-512";

/** The server's answer broke the protocol, or proved it does not know the password. */
export class ScramError extends Error {
  override name = "ScramError";
}

const encoder = new TextEncoder();

/** Bytes that WebCrypto takes. */
type Bytes = Uint8Array<ArrayBuffer>;

/** One SCRAM authentication, message by message. */
export class ScramClient {
  readonly #hash: "SHA-256" | "SHA-512";
  readonly #bits: number;
  readonly #password: string;
  readonly #clientFirstBare: string;
  readonly #clientNonce: string;
  #expectedServerSignature: string | undefined;

  /**
   * @param mechanism SCRAM-SHA-256 or SCRAM-SHA-512.
   * @param nonce The client nonce (random by default; fixed in tests).
   */
  constructor(
    mechanism: ScramMechanism,
    username: string,
    password: string,
    nonce: string = randomNonce(),
  ) {
    this.#hash = mechanism === "SCRAM-SHA-256" ? "SHA-256" : "SHA-512";
    this.#bits = mechanism === "SCRAM-SHA-256" ? 256 : 512;
    this.#password = password;
    this.#clientNonce = nonce;
    this.#clientFirstBare = `n=${escapeName(username)},r=${nonce}`;
  }

  /** The client-first message. */
  firstMessage(): string {
    return `n,,${this.#clientFirstBare}`;
  }

  /**
   * The client-final message, proving the password, for the server-first message.
   *
   * @throws ScramError when the server's message is malformed or its nonce is not ours extended.
   */
  async finalMessage(serverFirst: string): Promise<string> {
    const fields = parseFields(serverFirst);
    const nonce = fields.get("r");
    const salt = fields.get("s");
    const iterations = Number(fields.get("i"));
    if (!nonce || salt === undefined || !Number.isInteger(iterations) || iterations < 1) {
      throw new ScramError(`the server's first message is not SCRAM's: ${shortened(serverFirst)}`);
    }
    if (iterations > MAX_ITERATIONS) {
      // Each iteration is a hash of the password: a server asking billions would hold the
      // shipper (and the pilot's exit) for hours.
      throw new ScramError(
        `the server asks for ${iterations} iterations of the password's hash; Kafka's maximum, ` +
          `${MAX_ITERATIONS}, expected`,
      );
    }
    if (!nonce.startsWith(this.#clientNonce) || nonce === this.#clientNonce) {
      throw new ScramError("the server's nonce does not extend the client's");
    }
    const salted = await this.#saltedPassword(fromBase64(salt), iterations);
    const clientKey = await this.#hmac(salted, "Client Key");
    const storedKey = new Uint8Array(await crypto.subtle.digest(this.#hash, clientKey));
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = await this.#hmac(storedKey, authMessage);
    const proof = clientKey.map((byte, i) => byte ^ signature[i]!);
    const serverKey = await this.#hmac(salted, "Server Key");
    this.#expectedServerSignature = toBase64(await this.#hmac(serverKey, authMessage));
    return `${withoutProof},p=${toBase64(proof)}`;
  }

  /**
   * Checks the server-final message: the server proves it knows the password too.
   *
   * @throws ScramError when it reports an error or its signature is wrong.
   */
  verifyServerFinal(serverFinal: string): void {
    const fields = parseFields(serverFinal);
    const error = fields.get("e");
    if (error !== undefined) throw new ScramError(`the server refused: ${error}`);
    if (fields.get("v") !== this.#expectedServerSignature) {
      throw new ScramError("the server's signature is wrong: it does not know the password");
    }
  }

  async #saltedPassword(salt: Bytes, iterations: number): Promise<Bytes> {
    const key = await crypto.subtle.importKey(
      "raw",
      encoder.encode(this.#password.normalize("NFKC")),
      "PBKDF2",
      false,
      ["deriveBits"],
    );
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: this.#hash, salt, iterations },
      key,
      this.#bits,
    );
    return new Uint8Array(bits);
  }

  async #hmac(keyBytes: Bytes, text: string): Promise<Bytes> {
    const key = await crypto.subtle.importKey(
      "raw",
      keyBytes,
      { name: "HMAC", hash: this.#hash },
      false,
      ["sign"],
    );
    return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text)));
  }
}

/** `a=1,b=2` → a map; values may hold `=` (base64). */
function parseFields(message: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of message.split(",")) {
    const at = part.indexOf("=");
    if (at === 1) fields.set(part[0]!, part.slice(2));
  }
  return fields;
}

/** RFC 5802's saslname: `=` and `,` are escaped. */
function escapeName(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

function randomNonce(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(24))).replaceAll(",", "");
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Bytes {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    throw new ScramError(`the server's salt is not base64: ${text}`);
  }
}

/** `text` up to {@linkcode SHOWN_CHARS}, said to be cut when it is longer. */
function shortened(text: string): string {
  return text.length <= SHOWN_CHARS
    ? text
    : `${text.slice(0, SHOWN_CHARS)}… (${text.length} chars)`;
}
