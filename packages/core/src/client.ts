import {
  abortableSleep,
  createTransport,
  DEFAULT_ENVOY_URL,
  type EnvoyTransport,
  type OperationId,
  type operations,
  type RequestLog,
  type ResponseLog,
  type RetryOptions,
} from '@gm/transport';
import { envoyUrlFromEnvironment } from '#platform';
import { version as packageVersion } from '../package.json';
import { loadFailures, readAnswer } from './answers.js';
import {
  checkOptionalBoolean,
  checkOptionalNumber,
  checkOptionalSignal,
  checkProject,
  checkProjectName,
  checkText,
  checkUrl,
  clientOptionProblems,
  isRecord,
  MAX_DELAY_MS,
  optionsObject,
  shown,
} from './arguments.js';
import {
  APIError,
  AuthenticationError,
  ConnectionError,
  type FieldError,
  InsufficientCreditsError,
  InvalidRequestError,
} from './errors.js';
import { enterOperation } from './gate.js';
import type { Project } from './models/project.js';
import { re2PatternProblems } from './models/watch-file.js';
import { ProductResolver } from './resolver.js';
import type { CreditsInfo, Machine, ProjectStatus, ProjectSummary, RemoteFile, UserInfo } from './types.js';
import { downloadFolderProblems, projectProblems } from './validate.js';
import { toSubmitBody, toUploadBody } from './wire.js';

/** Which machine types {@link EnvoyClient.getMachines} lists. */
export const MachineCategory = {
  /** CPU machines. */
  CPU: 'cpu',
  /** GPU machines. */
  GPU: 'gpu',
  /** Every machine type. */
  ALL: 'all',
} as const;

/** One of {@link MachineCategory}'s values: `'cpu'`, `'gpu'` or `'all'`. */
export type MachineCategory = (typeof MachineCategory)[keyof typeof MachineCategory];

/** Options of {@link EnvoyClient}. */
export interface EnvoyClientOptions {
  /** The account email. */
  email?: string;
  /** The account access key (kept private; never logged or serialised). */
  accessKey?: string;
  /**
   * Envoy's URL. Default: in Node (and Deno, Bun) the `GM_ENVOY_URL` environment variable when it is set, as the
   * command line reads it; else `http://localhost:8090`. A given `url` always wins.
   */
  url?: string;
  /** The fetch to use; default `globalThis.fetch`. Tests inject one. */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * Time limit of one request attempt, in milliseconds, from sending to the last byte of the answer; 0 disables
   * it. Default 30000.
   */
  timeoutMs?: number;
  /**
   * The most bytes one answer may have; a larger one is not read past the cap and throws an
   * {@link UnexpectedAnswerError}. Default 64 MiB (a listing of 100,000 files is about 26 to 57 MiB).
   */
  maxAnswerBytes?: number;
  /** Retries of reads (GET) on network errors and 502/503/504: a count or a policy. Default 2. */
  retries?: number | RetryOptions;
  /** Called before every request attempt, secrets redacted. */
  onRequest?: (log: RequestLog) => void;
  /** Called after every answer. */
  onResponse?: (log: ResponseLog) => void;
}

/** Options of {@link EnvoyClient.getMachines}. */
export interface GetMachinesOptions {
  /** CPU, GPU or all machine types. Default {@link MachineCategory.ALL}. */
  category?: MachineCategory;
  /** Plugin codes the job uses. */
  plugins?: readonly string[];
}

/** Options of {@link EnvoyClient.submitProject}. */
export interface SubmitProjectOptions {
  /** The files are already uploaded (by {@link EnvoyClient.uploadProjectFiles}): submit without uploading. */
  skipUpload?: boolean;
  /** Do not download results automatically. */
  skipAutoDownload?: boolean;
}

/** Options of {@link EnvoyClient.watchProjectStatus}. */
export interface WatchProjectStatusOptions {
  /** Time between two status requests, in milliseconds. Default 2000. */
  intervalMs?: number;
  /** Stops the watch cleanly (the iterator ends) when aborted. */
  signal?: AbortSignal;
}

/** Final project states: a project in one of them changes no more. */
export const FINAL_PROJECT_STATES: readonly string[] = ['Completed', 'Stopped', 'Failed'];

/** Whether a status is final: `Completed`, `Stopped`, `Failed`, or `Uploaded` for an upload-only project (no jobs). */
export function isFinalStatus(status: ProjectStatus): boolean {
  const state = status.State ?? '';
  if (FINAL_PROJECT_STATES.includes(state)) return true;
  return state === 'Uploaded' && (status.Jobs === undefined || status.Jobs.length === 0);
}

type Credential = { kind: 'accessKey' | 'password'; secret: string };

/** What any openapi-fetch call answers. */
type Answer = { data?: unknown; error?: unknown; response: Response };

/** The body of a success of `operation` as the contract types it. */
type Body<O extends OperationId> = operations[O]['responses'] extends infer R
  ? {
      [S in keyof R]: S extends 200 | 201
        ? R[S] extends { content: { 'application/json': infer B } }
          ? B
          : never
        : never;
    }[keyof R]
  : never;

/** What one call of {@link EnvoyClient} needs to know about the operation it belongs to. */
interface Operation {
  /** The login of this operation (`POST /auth`), once started; shared by every call of the operation. */
  login: Promise<void> | undefined;
  /** The caller's abort signal. */
  signal: AbortSignal | undefined;
}

/**
 * Per-call options openapi-fetch takes: a middleware that shows this call's request and answer to the call path,
 * which reads the answer itself (openapi-fetch is told to leave a success's body alone).
 */
type CallInit = {
  middleware: {
    onRequest: (args: { request: Request }) => undefined;
    onResponse: (args: { response: Response }) => undefined;
  }[];
  signal?: AbortSignal;
  parseAs: 'stream';
  /** Serialises a request's body (JSON, as openapi-fetch's default does) and keeps the text for errors. */
  bodySerializer: (body: unknown) => string;
};

/**
 * `GM_ENVOY_URL` where the runtime has an environment (Node, Deno, Bun), checked by the rule of `options.url`;
 * an {@link InvalidRequestError} naming the variable when it is no http(s) URL.
 */
function environmentUrl(): string | undefined {
  const url = envoyUrlFromEnvironment();
  if (url === undefined) return undefined;
  const problems: FieldError[] = [];
  checkUrl(url, 'GM_ENVOY_URL', problems);
  const error = invalid(problems, 'The environment variable GM_ENVOY_URL (read as no url was given)');
  if (error) throw error;
  return url;
}

function invalid(problems: FieldError[], what: string): InvalidRequestError | undefined {
  return problems.length > 0 ? InvalidRequestError.fromProblems(problems, what) : undefined;
}

/**
 * The client of the Envoy local service: authentication, user details, products, machines, uploads, submissions
 * and status. Every failure of a call to Envoy is thrown as a {@link GridMarketsError} subclass, every bad
 * argument as an {@link InvalidRequestError} before anything is sent.
 *
 * Envoy holds one login at a time for every program that talks to it, so each operation that talks to Envoy
 * starts by logging it in as this client's account (one `POST /auth`, cheap on a local service): a client never
 * reads another account's data nor spends its credits. A whole {@link EnvoyClient.submitProject} (credits check,
 * upload, submit) is one operation with one login.
 *
 * @example
 * ```ts
 * const client = new EnvoyClient({ email: 'artist@studio.example', accessKey: process.env.GM_ACCESS_KEY });
 * const name = await client.submitProject(project);
 * for await (const status of client.watchProjectStatus(name)) console.log(status.State);
 * ```
 */
export class EnvoyClient {
  /** The package version. */
  readonly version: string = packageVersion;
  /** Envoy's URL. */
  readonly url: string;
  #email: string | undefined;
  #credential: Credential | undefined;
  readonly #envoy: EnvoyTransport;

  /**
   * Creates a client; nothing is sent until the first call. Credentials are kept private.
   * @throws {@link InvalidRequestError} naming each bad option (a URL that is not http(s), a negative or
   * non-finite time-out, an endless retry count, an unknown option, ...).
   */
  constructor(options: EnvoyClientOptions = {}) {
    const error = invalid(clientOptionProblems(options), 'The EnvoyClient options');
    if (error) throw error;
    this.url = (options.url ?? environmentUrl() ?? DEFAULT_ENVOY_URL).trim().replace(/\/+$/, '');
    this.#email = options.email;
    if (options.accessKey) this.#credential = { kind: 'accessKey', secret: options.accessKey };
    this.#envoy = createTransport({
      baseUrl: this.url,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      maxAnswerBytes: options.maxAnswerBytes,
      retries: options.retries,
      userAgent: `@gm/core/${packageVersion}`,
      onRequest: options.onRequest,
      onResponse: options.onResponse,
    });
  }

  /** The account email, when known. */
  get email(): string | undefined {
    return this.#email;
  }

  get #secrets(): string[] {
    return this.#credential ? [this.#credential.secret] : [];
  }

  /**
   * Runs one operation: its calls share one login. Operations of clients for different accounts on the same Envoy
   * never interleave in this process (each waits until the other account's operations have ended), so that the
   * login one of them made cannot be switched by the other between its login and its requests.
   */
  async #run<T>(
    body: (op: Operation) => Promise<T>,
    signal?: AbortSignal,
    account: string | undefined = this.#email,
  ): Promise<T> {
    const leave = await enterOperation(this.url, (account ?? '').trim().toLowerCase(), signal);
    try {
      return await body({ login: undefined, signal });
    } finally {
      leave();
    }
  }

  /**
   * The one call path: logs the operation in (unless `login` is false), sends, on 401 logs in again and sends once
   * more, and maps every failure to its error with the request and the answer kept on it. Resolves to the body of
   * a success, checked against the contract's answer of `operation` (undefined only for an empty body that
   * `emptyBody` allows).
   */
  async #call<O extends OperationId>(
    op: Operation,
    operation: O,
    send: (init: CallInit) => Promise<Answer>,
    options: { login?: boolean; secrets?: readonly string[]; emptyBody?: boolean } = {},
  ): Promise<Body<O>> {
    const secrets = options.secrets ?? this.#secrets;
    const login = options.login !== false;
    let sent: Request | undefined;
    // The body as sent, kept as the text it was serialised to: an error shows it, a success never reads it again
    // (no copy of the request's stream, no second parse of a large submit body).
    let sentBody: string | undefined;
    let received: Response | undefined;
    const init: CallInit = {
      middleware: [
        {
          onRequest: ({ request }) => {
            sent = request;
            return undefined;
          },
          onResponse: ({ response }) => {
            // The transport has read the whole body already (within the time-out and size cap): a copy is cheap.
            received = response.clone();
            return undefined;
          },
        },
      ],
      parseAs: 'stream',
      bodySerializer: (body) => {
        sentBody = JSON.stringify(body);
        return sentBody;
      },
      ...(op.signal ? { signal: op.signal } : {}),
    };
    const sendOnce = async (): Promise<Response> => {
      received = undefined;
      const answer = await send(init);
      // openapi-fetch hands a success's body over unread: the copy is what is read. (Not awaited: cancelling one
      // branch of a copied body settles only once the other branch is cancelled too.)
      if (answer.data instanceof ReadableStream) answer.data.cancel().catch(() => {});
      return received ?? answer.response;
    };
    let response: Response;
    try {
      if (login) await this.#login(op);
      response = await sendOnce();
      if (response.status === 401 && login) {
        response.body?.cancel().catch(() => {});
        op.login = undefined;
        await this.#login(op);
        response = await sendOnce();
      }
    } catch (error) {
      // The caller's own abort is not a failure of Envoy: it ends the call with the signal's reason.
      if (op.signal?.aborted) throw op.signal.reason;
      throw (await loadFailures(operation)).errorFromThrown(error, secrets, operation);
    }
    return (await readAnswer(response, {
      operation,
      // What an error describes (secrets redacted by failures.ts, only when one is made).
      sent: { method: sent?.method ?? 'GET', url: sent?.url ?? '', body: sentBody },
      secrets,
      url: this.url,
      emptyBody: options.emptyBody ?? false,
    })) as Body<O>;
  }

  /** Logs Envoy in as this client's account, once per operation. */
  #login(op: Operation): Promise<void> {
    op.login ??= this.#postAuth(op);
    return op.login;
  }

  async #postAuth(op: Operation, given?: { email: string; credential: Credential }): Promise<void> {
    const email = given?.email ?? this.#email;
    const credential = given?.credential ?? this.#credential;
    if (!email || !credential) throw (await loadFailures('authenticate')).noCredentials();
    const body =
      credential.kind === 'accessKey'
        ? { Username: email, AccessKey: credential.secret }
        : { Username: email, Password: credential.secret };
    await this.#call(op, 'authenticate', (init) => this.#envoy.POST('/auth', { body, ...init }), {
      login: false,
      secrets: [credential.secret],
      emptyBody: true,
    });
  }

  /**
   * Authenticates with the account password (`POST /auth`) and keeps the credentials for the next operations.
   * @throws {@link AuthenticationError} when they are wrong or empty; {@link InvalidRequestError} when they are
   * not strings.
   */
  async authenticate(email: string, password: string): Promise<true> {
    const problems: FieldError[] = [];
    if (typeof email !== 'string')
      problems.push({ field: 'email', message: `must be a string (got ${shown(email)})` });
    if (typeof password !== 'string') problems.push({ field: 'password', message: 'must be a string' });
    const error = invalid(problems, 'authenticate(email, password)');
    if (error) throw error;
    if (email.trim() === '' || password === '') {
      throw new AuthenticationError('authenticate(email, password) needs both an email and a password.');
    }
    const credential: Credential = { kind: 'password', secret: password };
    await this.#run((op) => this.#postAuth(op, { email, credential }), undefined, email);
    this.#email = email;
    this.#credential = credential;
    return true;
  }

  /**
   * Checks the credentials held (email with access key, or with the password given to {@link authenticate}) by
   * logging Envoy in as this account.
   * @throws {@link AuthenticationError} when they are wrong or missing (nothing is sent when missing).
   */
  async validateAuth(): Promise<true> {
    await this.#run((op) => this.#login(op));
    return true;
  }

  /** The credit balance of this client's account (`GET /credits-info`). */
  async getCreditsInfo(): Promise<CreditsInfo> {
    return this.#run((op) => this.#creditsInfo(op));
  }

  async #creditsInfo(op: Operation): Promise<CreditsInfo> {
    return this.#call(op, 'getCreditsInfo', (init) => this.#envoy.GET('/credits-info', init));
  }

  /**
   * Checks that this client's account has credits to spend.
   * @throws {@link InsufficientCreditsError} when the available credits are not positive.
   */
  async validateCredits(): Promise<true> {
    return this.#run((op) => this.#validateCredits(op));
  }

  async #validateCredits(op: Operation): Promise<true> {
    const info = await this.#creditsInfo(op);
    const available = Number(info.credits_available);
    if (!(available > 0)) throw (await loadFailures('getCreditsInfo')).noCredits(available, this.url);
    return true;
  }

  /**
   * Details of this client's user, credits included (unwrapped from the answer's `data`).
   * @throws {@link AuthenticationError} when Envoy answers for another account (another program logged Envoy in as
   * someone else during the call).
   */
  async getUserInfo(): Promise<UserInfo> {
    const answer = await this.#run((op) =>
      this.#call(op, 'getUserInfo', (init) => this.#envoy.GET('/user-info', init)),
    );
    const user = answer.data;
    const email = this.#email;
    if (email && user.email_address.toLowerCase() !== email.trim().toLowerCase()) {
      throw (await loadFailures('getUserInfo')).otherAccount(email, this.url);
    }
    return user;
  }

  /** The product resolver, built from the catalogue (`GET /products`). */
  async getProductResolver(): Promise<ProductResolver> {
    const products = await this.#run((op) =>
      this.#call(op, 'getProducts', (init) => this.#envoy.GET('/products', init)),
    );
    return new ProductResolver(products);
  }

  /**
   * The machine types for a product and operation, optionally only CPU or GPU ones and for given plugins.
   * @throws {@link InvalidRequestError} when the product or operation is missing, the category unknown or the
   * plugins not a list of codes (nothing is sent).
   */
  async getMachines(
    product: string,
    operation: string,
    options: GetMachinesOptions = {},
  ): Promise<Machine[]> {
    const problems: FieldError[] = [];
    checkText(product, 'product', problems, 'a product code such as "c4d"');
    checkText(operation, 'operation', problems, 'an operation such as "render"');
    const given = optionsObject(options, 'options', ['category', 'plugins'], problems);
    const category = given?.category ?? MachineCategory.ALL;
    if (!Object.values<unknown>(MachineCategory).includes(category)) {
      problems.push({
        field: 'options.category',
        message: `must be cpu, gpu or all (got ${shown(category)})`,
      });
    }
    const plugins = given?.plugins;
    if (plugins !== undefined) {
      if (!Array.isArray(plugins)) {
        problems.push({
          field: 'options.plugins',
          message: `must be a list of plugin codes, such as ["arnold"] (got ${shown(plugins)})`,
        });
      } else {
        for (const [i, plugin] of plugins.entries()) {
          checkText(plugin, `options.plugins[${i}]`, problems, 'a plugin code');
        }
      }
    }
    const error = invalid(problems, 'The machines query');
    if (error) throw error;
    const query = {
      product,
      operation,
      category: options.category ?? MachineCategory.ALL,
      ...(options.plugins?.length ? { plugins: [...options.plugins] } : {}),
    };
    return this.#run((op) =>
      this.#call(op, 'getMachines', (init) => this.#envoy.GET('/machines', { params: { query }, ...init })),
    );
  }

  /**
   * Uploads the project's files (`POST /upload`); resolves to the project name.
   * @throws {@link InvalidRequestError} when the project is invalid or has no files (nothing is sent).
   */
  async uploadProjectFiles(project: Project): Promise<string> {
    const problems: FieldError[] = [];
    if (checkProject(project, problems)) problems.push(...projectProblems(project, { upload: true }));
    const error = invalid(problems, checkedName(project));
    if (error) throw error;
    const body = toUploadBody(project);
    const answer = await this.#run((op) =>
      this.#call(op, 'uploadFiles', (init) => this.#envoy.POST('/upload', { body, ...init })),
    );
    return answer.ID !== '' ? answer.ID : project.name;
  }

  /**
   * Uploads (unless `skipUpload`) and submits the project (`POST /project-submit`); resolves to the project name.
   * Validates everything first; then one operation with one login checks credits and submits.
   *
   * When the answer to the submit is lost (the connection drops after Envoy took the request), the client asks
   * Envoy for the project's status: when every job of the project is there the submission landed and this
   * resolves as a success; otherwise it throws a {@link ConnectionError} saying whether it landed, so that a
   * retry never runs and charges the jobs twice.
   * @throws {@link InvalidRequestError} listing every problem (nothing is sent), {@link AuthenticationError},
   * {@link InsufficientCreditsError}, {@link ConnectionError}, {@link APIError}.
   */
  async submitProject(project: Project, options: SubmitProjectOptions = {}): Promise<string> {
    const problems: FieldError[] = [];
    if (checkProject(project, problems)) problems.push(...projectProblems(project, { submit: true }));
    const given = optionsObject(options, 'options', ['skipUpload', 'skipAutoDownload'], problems);
    checkOptionalBoolean(given?.skipUpload, 'options.skipUpload', problems);
    checkOptionalBoolean(given?.skipAutoDownload, 'options.skipAutoDownload', problems);
    let error = invalid(problems, checkedName(project));
    if (error) throw error;
    // The body is made now: jobs and watch rules added while the submit is under way are not sent.
    const rules = project.watchFiles;
    const body = toSubmitBody(project, options);
    problems.push(...(await downloadFolderProblems(project, options)), ...(await re2PatternProblems(rules)));
    error = invalid(problems, checkedName(project));
    if (error) throw error;
    await this.#run(async (op) => {
      await this.#validateCredits(op);
      try {
        await this.#call(
          op,
          'submitProject',
          (init) => this.#envoy.POST('/project-submit', { body, ...init }),
          { emptyBody: true },
        );
      } catch (lost) {
        if (!(lost instanceof ConnectionError)) throw lost;
        // The failure's module is loaded already: it made `lost`.
        const { confirmSubmitted } = await loadFailures('submitProject');
        await confirmSubmitted(project.name, body, lost, () => this.#status(op, project.name));
      }
    });
    return project.name;
  }

  /**
   * The upload and processing status of a project. When `signal` aborts, the call rejects with the signal's
   * reason (not an {@link APIError}).
   * @throws {@link InvalidRequestError} when the name cannot name a project (nothing is sent).
   */
  async getProjectStatus(name: string, options: { signal?: AbortSignal } = {}): Promise<ProjectStatus> {
    const problems: FieldError[] = [];
    checkProjectName(name, 'name', problems);
    const given = optionsObject(options, 'options', ['signal'], problems);
    checkOptionalSignal(given?.signal, 'options.signal', problems);
    const error = invalid(problems, 'The project status query');
    if (error) throw error;
    return this.#run((op) => this.#status(op, name), options.signal);
  }

  async #status(op: Operation, name: string): Promise<ProjectStatus> {
    return this.#call(op, 'getProjectStatus', (init) =>
      this.#envoy.GET('/project-status/{name}', { params: { path: { name } }, ...init }),
    );
  }

  /** The projects of this client's account that Envoy knows. */
  async listProjects(): Promise<ProjectSummary[]> {
    const answer = await this.#run((op) =>
      this.#call(op, 'listProjects', (init) => this.#envoy.GET('/projects', init)),
    );
    return answer.projects;
  }

  /**
   * The files of a project in the remote store.
   * @throws {@link InvalidRequestError} when the name cannot name a project (nothing is sent).
   */
  async getProjectFiles(name: string): Promise<RemoteFile[]> {
    const problems: FieldError[] = [];
    checkProjectName(name, 'name', problems);
    const error = invalid(problems, 'The project files query');
    if (error) throw error;
    const answer = await this.#run((op) =>
      this.#call(op, 'getProjectFiles', (init) =>
        this.#envoy.GET('/project/{name}/Files', { params: { path: { name } }, ...init }),
      ),
    );
    return answer.project_files.all_files;
  }

  /**
   * Status snapshots of a project, one per `intervalMs`, ending after the first final one (`Completed`, `Stopped`,
   * `Failed`, or `Uploaded` for an upload-only project). Ends cleanly, without throwing, when `signal` aborts.
   * Each snapshot is one operation (a login and a status request).
   * @throws {@link InvalidRequestError} at the first step when the name or an option is bad (nothing is sent).
   */
  async *watchProjectStatus(
    name: string,
    options: WatchProjectStatusOptions = {},
  ): AsyncGenerator<ProjectStatus, void, undefined> {
    const problems: FieldError[] = [];
    checkProjectName(name, 'name', problems);
    const given = optionsObject(options, 'options', ['intervalMs', 'signal'], problems);
    checkOptionalNumber(given?.intervalMs, 'options.intervalMs', problems, { min: 0, max: MAX_DELAY_MS });
    checkOptionalSignal(given?.signal, 'options.signal', problems);
    const error = invalid(problems, 'The project watch');
    if (error) throw error;
    const intervalMs = options.intervalMs ?? 2000;
    const { signal } = options;
    while (!signal?.aborted) {
      let status: ProjectStatus;
      try {
        status = await this.#run((op) => this.#status(op, name), signal);
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
      if (signal?.aborted) return;
      yield status;
      if (isFinalStatus(status)) return;
      try {
        await abortableSleep(intervalMs, signal);
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
    }
  }
}

/** The summary line of a project's problems. */
function checkedName(project: unknown): string {
  return isRecord(project) && typeof project.name === 'string' ? `Project "${project.name}"` : 'The project';
}
