/**
 * Named types of what Envoy answers and what the client sends, one alias each, so users never see raw
 * `paths[...]` types.
 */
import type * as wire from '@gm/transport';

/** Details of the logged-in user, credits included (`GET /user-info`, unwrapped from `data`). */
export type UserInfo = wire.UserInfo;
/** The credit balance (`GET /credits-info`). */
export type CreditsInfo = wire.CreditsInfo;
/** A machine type a job can run on (`GET /machines`). */
export type Machine = wire.Machine;
/** One version of one product with its compatible plugin versions (`GET /products`). */
export type ProductVersion = wire.ProductVersion;
/** Upload and processing status of a project (`GET /project-status/{name}`). */
export type ProjectStatus = wire.ProjectStatus;
/** Upload status of one file inside a {@link ProjectStatus}. */
export type FileStatus = wire.FileStatus;
/** Processing status of one job inside a {@link ProjectStatus}. */
export type JobStatus = wire.JobStatus;
/** An alert recorded for a job. */
export type JobAlert = wire.JobAlert;
/** A project known to Envoy (`GET /projects`). */
export type ProjectSummary = wire.ProjectSummary;
/** A file of a project in the remote store (`GET /project/{name}/Files`). */
export type RemoteFile = wire.RemoteFile;
/** The body of `POST /project-submit`. */
export type SubmitBody = wire.SubmitRequest;
/** One job inside a {@link SubmitBody}. */
export type JobBody = wire.JobRequest;
/** The body of `POST /upload`. */
export type UploadBody = wire.UploadRequest;
/** A set of files relative to a local folder, to land below a remote folder. */
export type UploadSet = wire.UploadSet;
