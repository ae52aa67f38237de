/** MQTT protocol versions the harness compares. */
export type ProtocolVersion = '3.1.1' | '5';

/** Where credentials for an external broker come from: names of environment variables. */
export interface CredentialsFromEnv {
  usernameEnv?: string;
  passwordEnv?: string;
}

/** Mosquitto options written into the generated config, e.g. { max_queued_messages: 10 }. */
export type MosquittoOptions = Record<string, string | number | boolean>;

/** The broker a run targets, as the resolved Plan states it. */
export type BrokerSpec =
  | { kind: 'auto' }
  | { kind: 'managed-mosquitto'; options: MosquittoOptions }
  | { kind: 'embedded-aedes' }
  | ({ kind: 'external'; url: string } & CredentialsFromEnv);

/**
 * Which server software answered. Memory probes pick their source by it: RSS from /proc
 * needs a `pid`, `$SYS/broker/heap/current` needs Mosquitto.
 */
export type BrokerSoftware = 'mosquitto' | 'aedes' | 'unknown';

/** A broker that is up and reachable, started by the harness or not. */
export interface BrokerTarget {
  readonly kind: 'managed-mosquitto' | 'embedded-aedes' | 'external';
  readonly host: string;
  readonly port: number;
  /** Every port it listens on, `port` first, when it has more than one (a managed broker asked for `listeners`). */
  readonly ports?: readonly number[];
  /** mqtt://host:port, without credentials: safe to print and to store in a report. */
  readonly url: string;
  readonly protocols: readonly ProtocolVersion[];
  /** One line for the user, e.g. "managed Mosquitto 2.0.11 on 127.0.0.1:40125 (pid 1234)". */
  readonly description: string;
  readonly pid?: number;
  readonly version?: string;
  readonly software?: BrokerSoftware;
  readonly logFile?: string;
  /** Never serialised into a report. */
  readonly credentials?: { username?: string; password?: string };
  stop(): Promise<void>;
  /** Brokers the harness started and can crash: SIGKILL, no clean shutdown, no state saved. */
  kill?(): Promise<void>;
  /** Starts a killed broker again on the same port and config; resolves once it answers CONNECT. */
  restart?(): Promise<void>;
  /** Brokers the harness started: `listener` hears an exit the harness did not ask for. Returns an unsubscribe. */
  onUnexpectedExit?(listener: (status: string) => void): () => void;
}

export interface StartBrokerOptions {
  /** Where generated config and broker logs go; created if missing. */
  runDir: string;
  log?: (line: string) => void;
  /** How many loopback listeners a managed Mosquitto opens (default 1): spreads ephemeral ports. */
  listeners?: number;
  /** An external target outside loopback needs this explicit opt-in (`--allow-remote`). */
  allowRemote?: boolean;
  /** Where `usernameEnv`/`passwordEnv` are looked up; process.env unless given. */
  env?: NodeJS.ProcessEnv;
}
