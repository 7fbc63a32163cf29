import { describe, expectTypeOf, it } from 'vitest';
import type {
  CreditsInfo,
  EnvoyClient,
  FileStatus,
  JobAlert,
  JobStatus,
  Machine,
  ProductVersion,
  ProjectStatus,
  ProjectSummary,
  RemoteFile,
  UserInfo,
  WithExtraFields,
} from '../src/index.js';

declare const client: EnvoyClient;

describe('the answer types are exact', () => {
  it('reject a misspelt field of a project status, its jobs, files and alerts', async () => {
    const status = await client.getProjectStatus('shot');
    // @ts-expect-error: `Stat` is not a field of ProjectStatus (`State` is).
    status.Stat;
    // @ts-expect-error: `FramesDonee` is not a field of JobStatus (`FramesDone` is).
    status.Jobs?.[0]?.FramesDonee;
    // @ts-expect-error: `Mesage` is not a field of JobAlert.
    status.Jobs?.[0]?.Alerts?.[0]?.Mesage;
    // @ts-expect-error: `BytesDon` is not a field of FileStatus.
    status.Details?.['/shot/a.blend']?.BytesDon;
    // @ts-expect-error: `Pendingg` is not a field of the downloads counts.
    status.Downloads?.Pendingg;
  });

  it('reject a misspelt field of the account answers', async () => {
    const u = await client.getUserInfo();
    // @ts-expect-error: `creditsAvailabel` is not a field of UserInfo.
    u.creditsAvailabel;
    const credits = await client.getCreditsInfo();
    // @ts-expect-error: `credits_availabel` is not a field of CreditsInfo.
    credits.credits_availabel;
  });

  it('reject a misspelt field of machines, products, projects and files', async () => {
    const [machine] = await client.getMachines('blender', 'render');
    // @ts-expect-error: `gpuu` is not a field of Machine.
    machine?.gpuu;
    const [project] = await client.listProjects();
    // @ts-expect-error: `nmae` is not a field of ProjectSummary.
    project?.nmae;
    const [file] = await client.getProjectFiles('shot');
    // @ts-expect-error: `Sise` is not a field of RemoteFile.
    file?.Sise;
    const version = {} as ProductVersion;
    // @ts-expect-error: `compatible_module` is not a field of ProductVersion.
    version.compatible_module;
    for await (const snapshot of client.watchProjectStatus('shot')) {
      // @ts-expect-error: `Jobz` is not a field of ProjectStatus.
      snapshot.Jobz;
    }
  });

  it('keep the known fields with their types and optionality', async () => {
    const status = await client.getProjectStatus('shot');
    expectTypeOf(status.State).toEqualTypeOf<string | undefined>();
    expectTypeOf(status.Speed).toEqualTypeOf<number | string | undefined>();
    expectTypeOf(status.Downloads).toEqualTypeOf<{ Done?: number; Pending?: number } | undefined>();
    expectTypeOf<ProjectStatus['Jobs']>().toEqualTypeOf<JobStatus[] | undefined>();
    expectTypeOf<JobStatus['FramesDone']>().toEqualTypeOf<number>();
    expectTypeOf<JobStatus['Alerts']>().toEqualTypeOf<JobAlert[] | undefined>();
    expectTypeOf<UserInfo['credits_available']>().toEqualTypeOf<number>();
    expectTypeOf<UserInfo['job_throughput_limit']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<CreditsInfo>().toEqualTypeOf<{ credits_available: number; credits_consumed?: number }>();
    expectTypeOf<Machine['gpu']>().toEqualTypeOf<boolean>();
    expectTypeOf<ProductVersion['id']>().toEqualTypeOf<string | number | undefined>();
    expectTypeOf<ProjectSummary['watched_list']>().toEqualTypeOf<unknown[] | undefined>();
    expectTypeOf<RemoteFile['Size']>().toEqualTypeOf<number>();
    expectTypeOf<JobAlert>().toEqualTypeOf<{ At: string; Message: string }>();
  });

  it('keep the per-file map a map of exact file statuses', () => {
    expectTypeOf<ProjectStatus['Details']>().toEqualTypeOf<{ [path: string]: FileStatus } | undefined>();
    const details = {} as NonNullable<ProjectStatus['Details']>;
    expectTypeOf(details['/shot/any/path.exr']).toEqualTypeOf<FileStatus | undefined>();
    expectTypeOf<FileStatus['State']>().toEqualTypeOf<string | undefined>();
  });

  it('take what Envoy sends: a wire answer with extra fields is assignable', () => {
    const fromEnvoy = { State: 'Running', Jobs: [], Added: 1 } as {
      State: string;
      Jobs: never[];
      [key: string]: unknown;
    };
    expectTypeOf(fromEnvoy).toExtend<ProjectStatus>();
  });
});

describe('WithExtraFields', () => {
  it('reaches a field a newer Envoy adds, as unknown', async () => {
    const status = await client.getProjectStatus('shot');
    expectTypeOf((status as WithExtraFields<ProjectStatus>).NewField).toEqualTypeOf<unknown>();
    const job = status.Jobs?.[0] as WithExtraFields<JobStatus>;
    expectTypeOf(job.Priority).toEqualTypeOf<unknown>();
  });

  it('keeps the known fields with their types', async () => {
    const status = (await client.getProjectStatus('shot')) as WithExtraFields<ProjectStatus>;
    expectTypeOf(status.State).toEqualTypeOf<string | undefined>();
    const u = (await client.getUserInfo()) as WithExtraFields<UserInfo>;
    expectTypeOf(u.credits_available).toEqualTypeOf<number>();
  });
});
