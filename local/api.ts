/**
 * The local runtime's JavaScript API, as consumers' tests see it
 * (`import { startLocalRuntime } from 'logistics-tracking-api/local'`). It is not
 * part of the construct's jsii API: it runs a synthesized app on this machine,
 * which only JavaScript test runners (jest, vitest, node:test) need to do from
 * code; every other language runs the `logistics-tracking-api local` command.
 *
 * This module holds types only, so the declarations shipped beside the bundle
 * are these and nothing of the runtime's internals.
 */

/** Options of {@link startLocalRuntime}. Every one is optional. */
export interface LocalRuntimeOptions {
  /**
   * The cloud assembly directory that `cdk synth` wrote.
   * @default 'cdk.out' in the current directory
   */
  readonly cdkOut?: string;
  /**
   * The stack to serve: its name, artifact id or display path.
   * @default the stack that holds a LogisticsTrackingApi
   */
  readonly stack?: string;
  /**
   * The construct to serve when the stack holds several LogisticsTrackingApi: its construct path (`MyStack/Tracking`) or id.
   * @default the only one
   */
  readonly construct?: string;
  /**
   * The API's port; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * The interface the API and the emulator listen on.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * A moto server already running (a CI service container, say). It is reset at
   * start, as the runtime's own would be, and left running at stop.
   * @default a moto started (and installed on first use) by the runtime
   */
  readonly emulatorEndpoint?: string;
  /**
   * Where moto.log and functions.log go.
   * @default a new directory under the OS temp directory
   */
  readonly logDir?: string;
  /**
   * Receives every line the functions print.
   * @default written to `<logDir>/functions.log`
   */
  readonly functionLog?: (line: string) => void;
  /**
   * Receives the runtime's own progress lines (installing the emulator on first use).
   * @default none
   */
  readonly progressLog?: (line: string) => void;
  /**
   * Where webhooks go: an API destination's endpoint, exactly as the template has
   * it, to a local URL. A webhook not here is not delivered.
   * @default {}
   */
  readonly webhookEndpoints?: Readonly<Record<string, string>>;
  /**
   * Values of secrets outside the template that webhooks' connections name, by ARN or name.
   * @default generated
   */
  readonly webhookSecretValues?: Readonly<Record<string, string>>;
}

/** The credentials the API accepts (SigV4, service execute-api) and the emulator takes. */
export interface LocalRuntimeCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A queue of the served stack (the construct's own and the app's), on the emulator. */
export interface LocalQueue {
  readonly logicalId: string;
  readonly name: string;
  /** Its URL on the emulator: give it to an SQS client whose endpoint is {@link LocalRuntime.emulatorEndpoint}. */
  readonly url: string;
}

/** An event bus of the served stack, on the emulator. */
export interface LocalEventBus {
  readonly logicalId: string;
  readonly name: string;
}

/** The request part of {@link LocalRuntime.fetch}. */
export interface LocalRequestInit {
  /** @default 'GET' */
  readonly method?: string;
  /** @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as it is; anything else as JSON (with `content-type: application/json`). @default no body */
  readonly body?: unknown;
}

/** A running local runtime. {@link stop} ends every process it started. */
export interface LocalRuntime {
  /** The invoke URL of the API's first stage, like the construct's `apiUrl`: `http://127.0.0.1:PORT/<stage>/`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly stage: string;
  readonly region: string;
  readonly credentials: LocalRuntimeCredentials;
  /** The emulator's endpoint: point AWS SDK clients at it (with {@link credentials} and {@link region}). */
  readonly emulatorEndpoint: string;
  /** The served stack's name. */
  readonly stackName: string;
  /** The served LogisticsTrackingApi's construct path, when the assembly says (it does unless tree metadata is off). */
  readonly constructPath?: string;
  readonly queues: readonly LocalQueue[];
  readonly eventBuses: readonly LocalEventBus[];
  readonly logDir: string;
  /**
   * A request to the API, signed with {@link credentials} as API Gateway checks it.
   * `path` is relative to {@link url} (`'track'`, `'status?tracking_id=X'`).
   */
  fetch(path: string, init?: LocalRequestInit): Promise<Response>;
  /** Runs a scheduled rule now (by name or logical id), as its schedule would. */
  runSchedule(nameOrLogicalId: string): Promise<void>;
  /** Stops the API, the function workers and the emulator it started; resolves when they are gone. */
  stop(): Promise<void>;
}
