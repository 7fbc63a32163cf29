/**
 * Named types of what Envoy answers and what the client sends, one alias each, so users never see raw
 * `paths[...]` types.
 *
 * The contract marks Envoy's answers `additionalProperties: true` (a newer Envoy may add fields, and the client
 * accepts them), so the generated wire types carry `[key: string]: unknown`. The answer aliases here drop those
 * index signatures, deeply, so that a typo such as `status.Stat` fails to compile; a field a newer Envoy adds stays
 * reachable on purpose through {@link WithExtraFields}.
 */
import type * as wire from '@gm/transport';

/** `K` unless it is the key of an index signature (`string`, `number` or `symbol`). */
type KnownKey<K> = string extends K ? never : number extends K ? never : symbol extends K ? never : K;

/** `T` with its named fields only, index signatures dropped (shallow). */
type KnownFields<T> = { [K in keyof T as KnownKey<K>]: T[K] };

/**
 * `T` without the `[key: string]: unknown` index signatures that `additionalProperties: true` adds, in objects,
 * arrays, nested objects and unions. A map that is only an index signature (`Details: { [path: string]:
 * FileStatus }`) stays a map, its values made exact in turn.
 */
type Exact<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly unknown[]
    ? { [I in keyof T]: Exact<T[I]> }
    : T extends object
      ? [keyof KnownFields<T>] extends [never]
        ? { [K in keyof T]: Exact<T[K]> }
        : { [K in keyof T as KnownKey<K>]: Exact<T[K]> }
      : T;

/**
 * An answer type that also reaches fields the contract does not name. The answer types are exact, so a typo such
 * as `status.Stat` fails to compile; a newer Envoy may still send fields they do not list, and this type reaches
 * them deliberately, as `unknown` to check before use:
 *
 * ```ts
 * const status = await client.getProjectStatus('shot');
 * const extra = (status as WithExtraFields<ProjectStatus>).NewField; // unknown
 * const job = status.Jobs?.[0] as WithExtraFields<JobStatus> | undefined;
 * ```
 *
 * Known fields keep their types. It opens one level: cast a nested answer (a job, a file) on its own.
 */
export type WithExtraFields<T> = T & { [field: string]: unknown };

/** Details of the logged-in user, credits included (`GET /user-info`, unwrapped from `data`). */
export type UserInfo = Exact<wire.UserInfo>;
/** The credit balance (`GET /credits-info`). */
export type CreditsInfo = Exact<wire.CreditsInfo>;
/** A machine type a job can run on (`GET /machines`). */
export type Machine = Exact<wire.Machine>;
/** One version of one product with its compatible plugin versions (`GET /products`). */
export type ProductVersion = Exact<wire.ProductVersion>;
/** Upload and processing status of a project (`GET /project-status/{name}`). */
export type ProjectStatus = Exact<wire.ProjectStatus>;
/** Upload status of one file inside a {@link ProjectStatus}. */
export type FileStatus = Exact<wire.FileStatus>;
/** Processing status of one job inside a {@link ProjectStatus}. */
export type JobStatus = Exact<wire.JobStatus>;
/** An alert recorded for a job. */
export type JobAlert = Exact<wire.JobAlert>;
/** A project known to Envoy (`GET /projects`). */
export type ProjectSummary = Exact<wire.ProjectSummary>;
/** A file of a project in the remote store (`GET /project/{name}/Files`). */
export type RemoteFile = Exact<wire.RemoteFile>;
/** The body of `POST /project-submit`. */
export type SubmitBody = wire.SubmitRequest;
/** One job inside a {@link SubmitBody}. */
export type JobBody = wire.JobRequest;
/** The body of `POST /upload`. */
export type UploadBody = wire.UploadRequest;
/** A set of files relative to a local folder, to land below a remote folder. */
export type UploadSet = wire.UploadSet;
