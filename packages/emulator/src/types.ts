/** One version of one product, as `GET /products` answers it (the contract's `ProductVersion`). */
export interface ProductVersion {
  /** Identifier of this product version, such as `hou-17.5.173`. */
  id: string | number;
  /** Friendly product name, such as `Houdini`. */
  name: string;
  /** Product code, such as `hou`. */
  app_type: string;
  /** Product version, such as `17.5.173`. */
  version: string;
  /** Compatible plugin versions as `plugin_type:version`. */
  compatible_modules: string[];
  /** Business vertical; `media` for every default product. */
  business_vertical?: string;
}

/** A machine type a job can run on (the contract's `Machine`, plus the plugins it supports). */
export interface MachineType {
  /** The id a job puts in `params.machine_type`. */
  id: string;
  /** Display name. */
  name: string;
  /** Whether this is a GPU machine. */
  gpu: boolean;
  /** Whether this is the default of its category (CPU or GPU). */
  is_default: boolean;
  /** Credits one frame costs on this machine. */
  credit_rate: number;
  /** Plugin codes this machine supports; absent means every plugin. */
  plugins?: string[];
}

/** Machine types by product code, then by operation (`render`, `sim`, ...). */
export type MachineCatalogue = Record<string, Record<string, MachineType[]>>;

/** A user account the emulator knows. */
export interface EmulatorUser {
  /** The account email, used as `Username` by `POST /auth`. */
  email: string;
  /** The account access key. */
  accessKey: string;
  /** The account password; when absent, only the access key authenticates. */
  password?: string;
  /** Starting credits (default 1000); the balance then persists in the data directory. */
  credits?: number;
  /** The user's name (default: the part of the email before `@`). */
  name?: string;
  /** The service plan (default `Standard`). */
  servicePlan?: string;
  /** Most machines the plan runs at once (default 30). */
  jobThroughputLimit?: number;
  /** Highest throughput the account may request (default 30). */
  maxThroughput?: number;
  /** When the account was created, ISO 8601 without zone (default `2019-07-01T15:27:48`). */
  created?: string;
}

/** Where a pino-style request log goes when logging is on. */
export interface EmulatorLoggerOptions {
  /** A writable stream that receives one JSON line per log record. */
  stream: { write(line: string): unknown };
  /** Log level (default `info`). */
  level?: string;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /**
   * Extra names requests may address the service by in their `Host` header: a name (`envoy.test`, with the
   * port the service listens on) or `name:port`. By default only the bound address, `localhost`, `127.0.0.1`
   * and `[::1]` with the service's port are accepted, so that no web page can reach it through DNS rebinding.
   */
  allowedHosts?: string[];
  /**
   * Web origins (`http://localhost:3000`) whose pages may call the service; they get CORS headers. By default
   * every request that carries an `Origin` header, or that a browser marks cross-site, is refused with 403.
   */
  allowedOrigins?: string[];
  /** Folder for state and the remote store; survives restarts. Default: a fresh temp folder removed on close. */
  dataDir?: string;
  /** Accounts; default {@link DEMO_USER} only. */
  users?: EmulatorUser[];
  /** Product catalogue; default {@link DEFAULT_PRODUCTS}. */
  products?: ProductVersion[];
  /** Machine types; default {@link DEFAULT_MACHINES}. */
  machines?: MachineCatalogue;
  /** Upload bandwidth limit in bytes per second, shared by all uploads; default unlimited. */
  bandwidth?: number;
  /** Multiplies every simulated duration (default 1; tests use 0.001-0.01). */
  timeScale?: number;
  /** Seconds one frame takes before scaling (default 1). */
  frameSeconds?: number;
  /**
   * The Blender that renders Blender jobs for real: its path, or `true` for `blender` found on PATH (none found:
   * simulated). By default (and with `false`) every frame is simulated, as are other products' frames always.
   * The `gm-envoy-emulator` and `gm emulator` commands take `--blender PATH` (or `auto` for PATH).
   */
  blender?: string | boolean;
  /** Most seconds a real Blender frame may take before it is stopped (default 600; not scaled by timeScale). */
  blenderFrameSeconds?: number;
  /** Most Blender processes at once (default half the CPUs, at least 1). */
  blenderProcesses?: number;
  /** Request logging: false (default), true (stdout) or a stream. Secrets are never logged. */
  logger?: boolean | EmulatorLoggerOptions;
}

/** A running emulator, as {@link startEmulator} resolves it. */
export interface RunningEmulator {
  /** Base URL, such as `http://127.0.0.1:54321`. */
  url: string;
  /** The port it listens on. */
  port: number;
  /** The data directory in use. */
  dataDir: string;
  /** The web inspector's address (`<url>/`): accounts, projects, frames, uploads, downloads and every request. */
  inspectorUrl: string;
  /** The Blender that renders Blender jobs for real, or null when every frame is simulated. */
  blender: string | null;
  /** Stops timers and uploads, waits for pending writes, closes the server (and removes a temp data dir). */
  close(): Promise<void>;
}
