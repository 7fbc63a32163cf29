import {
  createTransport,
  DEFAULT_ENVOY_URL,
  type EnvoyTransport,
  type RequestLog,
  type ResponseLog,
  type RetryOptions,
} from '@gm/transport';
import { version as packageVersion } from '../package.json';
import {
  AuthenticationError,
  type ErrorRequest,
  errorFromResponse,
  errorFromThrown,
  type FieldError,
  InsufficientCreditsError,
  InvalidRequestError,
} from './errors.js';
import type { Project } from './models/project.js';
import { ProductResolver } from './resolver.js';
import type { CreditsInfo, Machine, ProjectStatus, ProjectSummary, RemoteFile, UserInfo } from './types.js';
import { projectProblems } from './validate.js';
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
  /** Envoy's URL. Default `http://localhost:8090`. */
  url?: string;
  /** The fetch to use; default `globalThis.fetch`. Tests inject one. */
  fetch?: (request: Request) => Promise<Response>;
  /** Time limit of one request attempt, in milliseconds; 0 disables it. Default 30000. */
  timeoutMs?: number;
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

type Answer = { data?: unknown; error?: unknown; response: Response };

function parseLenient(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function requireText(value: unknown, field: string, problems: FieldError[]): void {
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ field, message: 'is required (a non-empty string)' });
  }
}

/**
 * The client of the Envoy local service: authentication, user details, products, machines, uploads, submissions
 * and status. Every failure is thrown as a {@link GridMarketsError} subclass.
 *
 * Credentials are checked once per client (and again only when Envoy answers 401, after which the call is retried
 * once); credits are checked once per submission.
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
  #validated: Promise<true> | undefined;
  readonly #envoy: EnvoyTransport;

  /** Creates a client; nothing is sent until the first call. Credentials are kept private. */
  constructor(options: EnvoyClientOptions = {}) {
    this.url = (options.url ?? DEFAULT_ENVOY_URL).replace(/\/+$/, '');
    this.#email = options.email;
    if (options.accessKey) this.#credential = { kind: 'accessKey', secret: options.accessKey };
    this.#envoy = createTransport({
      baseUrl: this.url,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
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

  #request(method: string, path: string): ErrorRequest {
    return { method, url: `${this.url}${path}` };
  }

  /** Sends once; on 401 (when credentials are held) re-validates them and sends once more; maps failures to errors. */
  async #send<A extends Answer>(
    request: ErrorRequest,
    send: () => Promise<A>,
    options: { reauthenticate?: boolean; signal?: AbortSignal | undefined } = {},
  ): Promise<A> {
    const secrets = this.#secrets;
    let answer: A;
    try {
      answer = await send();
      if (
        answer.response.status === 401 &&
        options.reauthenticate !== false &&
        this.#credential &&
        this.#email
      ) {
        this.#validated = undefined;
        await this.#ensureAuthenticated();
        answer = await send();
      }
    } catch (error) {
      // The caller's own abort is not a failure of Envoy: it ends the call with the signal's reason.
      if (options.signal?.aborted) throw options.signal.reason;
      throw errorFromThrown(error, secrets);
    }
    if (!answer.response.ok) {
      throw errorFromResponse({ status: answer.response.status, body: answer.error, request, secrets });
    }
    return answer;
  }

  async #postAuth(email: string, credential: Credential): Promise<true> {
    const body =
      credential.kind === 'accessKey'
        ? { Username: email, AccessKey: credential.secret }
        : { Username: email, Password: credential.secret };
    const request = this.#request('POST', '/auth');
    let answer: Answer;
    try {
      answer = await this.#envoy.POST('/auth', { body, parseAs: 'text' });
    } catch (error) {
      throw errorFromThrown(error, [credential.secret]);
    }
    if (!answer.response.ok) {
      throw errorFromResponse({
        status: answer.response.status,
        body: answer.error,
        request,
        secrets: [credential.secret],
      });
    }
    return true;
  }

  #ensureAuthenticated(): Promise<true> {
    if (!this.#validated) {
      const check = this.validateAuth();
      this.#validated = check;
      check.catch(() => {
        if (this.#validated === check) this.#validated = undefined;
      });
    }
    return this.#validated;
  }

  /**
   * Authenticates with the account password (`POST /auth`) and keeps the credentials for later checks.
   * @throws {@link AuthenticationError} when they are wrong.
   */
  async authenticate(email: string, password: string): Promise<true> {
    if (!email || !password) {
      throw new AuthenticationError('authenticate(email, password) needs both an email and a password.');
    }
    const credential: Credential = { kind: 'password', secret: password };
    const check = this.#postAuth(email, credential);
    await check;
    this.#email = email;
    this.#credential = credential;
    this.#validated = check;
    return true;
  }

  /**
   * Checks the credentials held (email with access key, or with the password given to {@link authenticate}).
   * @throws {@link AuthenticationError} when they are wrong or missing.
   */
  async validateAuth(): Promise<true> {
    const email = this.#email;
    const credential = this.#credential;
    if (!email || !credential) {
      throw new AuthenticationError(
        'No credentials: pass { email, accessKey } to new EnvoyClient(), or call authenticate(email, password).',
      );
    }
    await this.#postAuth(email, credential);
    if (this.#email === email && this.#credential === credential) this.#validated ??= Promise.resolve(true);
    return true;
  }

  /** The credit balance (`GET /credits-info`). */
  async getCreditsInfo(): Promise<CreditsInfo> {
    const { data } = await this.#send(this.#request('GET', '/credits-info'), () =>
      this.#envoy.GET('/credits-info'),
    );
    return data as CreditsInfo;
  }

  /**
   * Checks that the account has credits to spend.
   * @throws {@link InsufficientCreditsError} when the available credits are not positive.
   */
  async validateCredits(): Promise<true> {
    const info = await this.getCreditsInfo();
    const available = Number(info?.credits_available);
    if (!(available > 0)) {
      throw new InsufficientCreditsError(
        `Insufficient credits: ${Number.isFinite(available) ? available : 'no'} credits available. Top up the account to submit.`,
        {
          creditsAvailable: Number.isFinite(available) ? available : undefined,
          request: this.#request('GET', '/credits-info'),
        },
      );
    }
    return true;
  }

  /** Details of the logged-in user, credits included (unwrapped from the answer's `data`). */
  async getUserInfo(): Promise<UserInfo> {
    const { data } = await this.#send(this.#request('GET', '/user-info'), () =>
      this.#envoy.GET('/user-info'),
    );
    return (data as { data: UserInfo }).data;
  }

  /** The product resolver, built from the catalogue (`GET /products`). */
  async getProductResolver(): Promise<ProductResolver> {
    const { data } = await this.#send(this.#request('GET', '/products'), () => this.#envoy.GET('/products'));
    return new ProductResolver(Array.isArray(data) ? data : []);
  }

  /**
   * The machine types for a product and operation, optionally only CPU or GPU ones and for given plugins.
   * @throws {@link InvalidRequestError} when the product or operation is missing or the category unknown.
   */
  async getMachines(
    product: string,
    operation: string,
    options: GetMachinesOptions = {},
  ): Promise<Machine[]> {
    const category = options.category ?? MachineCategory.ALL;
    const problems: FieldError[] = [];
    requireText(product, 'product', problems);
    requireText(operation, 'operation', problems);
    if (!Object.values(MachineCategory).includes(category)) {
      problems.push({ field: 'category', message: `must be cpu, gpu or all (got ${String(category)})` });
    }
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'The machines query');
    const query = {
      product,
      operation,
      category,
      ...(options.plugins?.length ? { plugins: [...options.plugins] } : {}),
    };
    const { data } = await this.#send(this.#request('GET', '/machines'), () =>
      this.#envoy.GET('/machines', { params: { query } }),
    );
    return (data ?? []) as Machine[];
  }

  /**
   * Uploads the project's files (`POST /upload`); resolves to the project name.
   * @throws {@link InvalidRequestError} when the project is invalid or has no files (nothing is sent).
   */
  async uploadProjectFiles(project: Project): Promise<string> {
    const problems = projectProblems(project, { upload: true });
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, `Project "${project.name}"`);
    const body = toUploadBody(project);
    await this.#ensureAuthenticated();
    const { data } = await this.#send(this.#request('POST', '/upload'), () =>
      this.#envoy.POST('/upload', { body, parseAs: 'text' }),
    );
    const id = parseLenient(data)?.ID;
    return typeof id === 'string' && id !== '' ? id : project.name;
  }

  /**
   * Uploads (unless `skipUpload`) and submits the project (`POST /project-submit`); resolves to the project name.
   * Validates everything first, checks credentials once per client and credits once per submission.
   * @throws {@link InvalidRequestError} listing every problem (nothing is sent), {@link AuthenticationError},
   * {@link InsufficientCreditsError}, {@link APIError}.
   */
  async submitProject(project: Project, options: SubmitProjectOptions = {}): Promise<string> {
    const problems = projectProblems(project, { submit: true });
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, `Project "${project.name}"`);
    const body = toSubmitBody(project, options);
    await this.#ensureAuthenticated();
    await this.validateCredits();
    await this.#send(this.#request('POST', '/project-submit'), () =>
      this.#envoy.POST('/project-submit', { body, parseAs: 'text' }),
    );
    return project.name;
  }

  /**
   * The upload and processing status of a project. When `signal` aborts, the call rejects with the signal's
   * reason (not an {@link APIError}).
   */
  async getProjectStatus(name: string, options: { signal?: AbortSignal } = {}): Promise<ProjectStatus> {
    const path = `/project-status/${encodeURIComponent(name)}`;
    const { data } = await this.#send(
      this.#request('GET', path),
      () => this.#envoy.GET('/project-status/{name}', { params: { path: { name } }, signal: options.signal }),
      { signal: options.signal },
    );
    return data as ProjectStatus;
  }

  /** The projects Envoy knows. */
  async listProjects(): Promise<ProjectSummary[]> {
    const { data } = await this.#send(this.#request('GET', '/projects'), () => this.#envoy.GET('/projects'));
    return (data as { projects?: ProjectSummary[] } | undefined)?.projects ?? [];
  }

  /** The files of a project in the remote store. */
  async getProjectFiles(name: string): Promise<RemoteFile[]> {
    const path = `/project/${encodeURIComponent(name)}/Files`;
    const { data } = await this.#send(this.#request('GET', path), () =>
      this.#envoy.GET('/project/{name}/Files', { params: { path: { name } } }),
    );
    return (
      (data as { project_files?: { all_files?: RemoteFile[] } } | undefined)?.project_files?.all_files ?? []
    );
  }

  /**
   * Status snapshots of a project, one per `intervalMs`, ending after the first final one (`Completed`, `Stopped`,
   * `Failed`, or `Uploaded` for an upload-only project). Ends cleanly, without throwing, when `signal` aborts.
   */
  async *watchProjectStatus(
    name: string,
    options: WatchProjectStatusOptions = {},
  ): AsyncGenerator<ProjectStatus, void, undefined> {
    const intervalMs = Math.max(0, options.intervalMs ?? 2000);
    const { signal } = options;
    while (!signal?.aborted) {
      let status: ProjectStatus;
      try {
        status = await this.getProjectStatus(name, { signal });
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
      if (signal?.aborted) return;
      yield status;
      if (isFinalStatus(status)) return;
      if (!(await sleep(intervalMs, signal))) return;
    }
  }
}

/** Waits `ms`; resolves false at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
