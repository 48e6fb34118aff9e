/**
 * Logging in to a Kafka broker with SASL (after ApiVersions, before anything else on the
 * connection): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, each message in a SaslAuthenticate request.
 *
 * @module
 */

import { KafkaConnectionError } from "./connection.ts";
import { KafkaProtocolError } from "./protocol.ts";
import { ScramClient, ScramError, type ScramMechanism } from "./scram.ts";

/** The SASL mechanisms the pilot speaks. */
export type SaslMechanism = "PLAIN" | ScramMechanism;

/** Who the pilot logs in as. */
export interface SaslCredentials {
  /** The mechanism. */
  readonly mechanism: SaslMechanism;
  /** The user name. */
  readonly username: string;
  /** The password. */
  readonly password: string;
}

/** The two requests of a SASL login, on one connection. */
export interface SaslExchange {
  /** Asks for `mechanism`; the broker answers with an error code and the mechanisms it offers. */
  handshake(mechanism: string): Promise<{ errorCode: number; mechanisms: string[] }>;
  /** Sends one SASL message and returns the broker's answer. */
  authenticate(
    message: Uint8Array,
  ): Promise<{ errorCode: number; errorMessage: string | null; message: Uint8Array }>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Logs in on the broker at `address`.
 *
 * @throws KafkaConnectionError saying what failed: the mechanism not offered, the credentials
 * refused, or a server that does not prove it knows the password (SCRAM).
 */
export async function saslLogin(
  credentials: SaslCredentials,
  address: string,
  exchange: SaslExchange,
): Promise<void> {
  const { mechanism, username, password } = credentials;
  const { errorCode, mechanisms } = await exchange.handshake(mechanism);
  if (errorCode !== 0) {
    throw new KafkaConnectionError(
      `the broker at ${address} does not offer SASL ${mechanism} ` +
        `(it offers ${mechanisms.join(", ") || "none"})`,
    );
  }
  const failed = (why: string) =>
    new KafkaConnectionError(
      `SASL ${mechanism} login as ${JSON.stringify(username)} on ${address} failed: ${why}`,
    );
  const step = async (message: string): Promise<string> => {
    const answer = await exchange.authenticate(encoder.encode(message));
    if (answer.errorCode !== 0) {
      throw failed(
        answer.errorMessage ?? new KafkaProtocolError(answer.errorCode, "SaslAuthenticate").message,
      );
    }
    return decoder.decode(answer.message);
  };
  if (mechanism === "PLAIN") {
    await step(`\0${username}\0${password}`);
    return;
  }
  const scram = new ScramClient(mechanism, username, password);
  try {
    const serverFirst = await step(scram.firstMessage());
    scram.verifyServerFinal(await step(await scram.finalMessage(serverFirst)));
  } catch (e) {
    throw e instanceof ScramError ? failed(e.message) : e;
  }
}
