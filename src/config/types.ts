/**
 * Types of the effective configuration of amp-pilot (SPEC §2).
 *
 * @module
 */

/** Where Consul's HTTP API is reached. */
export type ConsulAddress =
  | {
    /** Plain TCP, with or without TLS. */
    readonly kind: "http";
    /** Base URL such as `http://127.0.0.1:8500`, without a trailing slash. */
    readonly baseUrl: string;
  }
  | {
    /** A unix domain socket (`unix:///path`). */
    readonly kind: "unix";
    /** Absolute path of the socket. */
    readonly path: string;
    /** Base URL used in requests through the socket. */
    readonly baseUrl: string;
  };

/** TLS material for an `https://` Consul address (PEM texts; `key` is a secret). */
export interface ConsulTls {
  /** CA certificates trusted besides the system's. */
  readonly caCerts: readonly string[];
  /** Client certificate chain, for agents that verify incoming connections. */
  readonly cert?: string;
  /** The client certificate's private key. */
  readonly key?: string;
}

/** Where the Kafka brokers are found. */
export type KafkaTarget =
  | {
    /** A list of bootstrap brokers. */
    readonly kind: "brokers";
    /** `host:port` entries. */
    readonly brokers: readonly string[];
  }
  | {
    /** A ZooKeeper ensemble under which the brokers register. */
    readonly kind: "zookeeper";
    /** `host:port` entries of the ensemble. */
    readonly hosts: readonly string[];
    /** Chroot path (`/` when none). */
    readonly chroot: string;
  };

/** One dependency of the mate. */
export interface Dependency {
  /** Consul service name of the dependency. */
  readonly name: string;
  /** When true, losing the dependency after startup does not stop the mate. */
  readonly onlyAtStartup: boolean;
}

/** Log levels understood by `AMPPILOT_LOGLEVEL`. */
export type PilotLogLevel = "trace" | "debug" | "info" | "warning" | "error" | "fatal";

/** Log line formats understood by `AMPPILOT_LOGFORMAT`. */
export type PilotLogFormat = "text" | "json";

/** The SASL mechanisms the pilot speaks to Kafka. */
export type KafkaSaslMechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";

/** How the pilot secures its Kafka connections. */
export interface KafkaSecurity {
  /** TLS, trusting these CA certificates (PEM) besides the system's; undefined: no TLS. */
  readonly tls: { readonly caCerts: readonly string[] } | undefined;
  /** SASL login; undefined: none. The password is a secret: never logged. */
  readonly sasl: {
    readonly mechanism: KafkaSaslMechanism;
    readonly username: string;
    readonly password: string;
  } | undefined;
}

/** The effective, validated configuration of one pilot. Durations are in milliseconds. */
export interface PilotConfig {
  /** Consul address; `undefined` means direct mode. */
  readonly consul: ConsulAddress | undefined;
  /** Consul ACL token (a secret: never logged). */
  readonly consulToken: string | undefined;
  /** TLS material for an https Consul address (from `CONSUL_CACERT`…). */
  readonly consulTls: ConsulTls | undefined;
  /** TLS and SASL for the Kafka brokers (from `AMPPILOT_KAFKA_TLS`…; holds a secret). */
  readonly kafkaSecurity: KafkaSecurity | undefined;
  /** Consul service name of the mate. */
  readonly name: string | undefined;
  /** The mate's command as an argv. */
  readonly cmd: readonly string[];
  /** The ready command as an argv; `undefined` means "started is ready". */
  readonly cmdReady: readonly string[] | undefined;
  /** Network interface whose address is registered. */
  readonly netInterface: string;
  /** Registered IP, overriding the interface. */
  readonly registeredIp: string | undefined;
  /** Registered port. */
  readonly registeredPort: number;
  /** Heartbeat and ready-command period while the mate is starting (ms). */
  readonly startupCheckPeriodMs: number;
  /** Heartbeat and ready-command period once the mate is ready (ms). */
  readonly checkPeriodMs: number;
  /** Exit the pilot when the mate stops by itself. */
  readonly stopAtMateStop: boolean;
  /** Give up waiting for the dependencies after this long (ms); `undefined`: wait for ever. */
  readonly startupTimeoutMs: number | undefined;
  /** Dependencies that must be healthy before the mate starts. */
  readonly dependencies: readonly Dependency[];
  /** Kafka target; `undefined` means no shipping. */
  readonly kafka: KafkaTarget | undefined;
  /** Kafka topic. */
  readonly kafkaTopic: string;
  /** Grace period between SIGTERM and SIGKILL (ms). */
  readonly stopTimeoutMs: number;
  /** Consul instance id. */
  readonly serviceId: string;
  /** Consul tags. */
  readonly tags: readonly string[];
  /** Consul removes a critical instance after this long (ms). */
  readonly deregisterAfterMs: number;
  /** Pilot log level. */
  readonly logLevel: PilotLogLevel;
  /** Pilot log format. */
  readonly logFormat: PilotLogFormat;
  /** Timeout of one ready-command run (ms). */
  readonly readyTimeoutMs: number;
  /** Kafka buffer limit in records. */
  readonly kafkaBuffer: number;
  /** Kafka buffer limit in bytes. */
  readonly kafkaBufferBytes: number;
  /** Skip Docker discovery. */
  readonly standalone: boolean;
  /** Where the pilot serves `/metrics` and `/status`; `undefined`: no telemetry. */
  readonly telemetry: { readonly hostname: string; readonly port: number } | undefined;
  /** The file where the pilot keeps its status current, for `amp-pilot health`. */
  readonly statusFile: string;
}

/** Where a configuration value came from. */
export type ValueSource = "default" | "loader" | "conffile" | "env" | "cli";
