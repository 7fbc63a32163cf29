/// <reference lib="dom" />
/**
 * A browser page's script, bundled by esbuild with `--platform=browser` (test/browser.test.ts), as a plugin panel
 * or a web-based pipeline tool would bundle it. It talks to Envoy from the page's own origin, which proxies to the
 * emulator: through `@gm/transport` directly, and through `@gm/core` (log in, user info, a `Project` given its
 * file list without reading any disk, a `Job`, watch rules with `watch` in the query, upload and submit, status,
 * the projects listed, the project's files). What it saw goes to `window.gmResult`.
 */
import { EnvoyClient, InvalidRequestError, Job, Project, resultsPattern, WatchFile } from '@gm/core';
import { createTransport } from '@gm/transport';

/** What the page saw, read by the test. */
export interface PageResult {
  /** Through `@gm/transport`. */
  auth?: number;
  email?: string;
  products?: number;
  missing?: number;
  /** Through `@gm/core`. */
  core?: {
    email: string;
    /** The project's name: one a page load, as the page is opened by several tests. */
    name: string;
    files: readonly string[];
    submitted: string;
    state: string | undefined;
    uploaded: string[];
    jobs: number;
    /** The names of the projects `listProjects` answered with after the submit. */
    listed: string[];
    /** The names of the files `getProjectFiles` answered with (those Envoy has copied so far). */
    remoteFiles: string[];
    /** What `addFiles` (reading a folder) says in a runtime without a disk. */
    addFilesError: string;
    /** With `watch` in the query: the field of the problem a pattern only RE2 refuses is sent back with. */
    refusedPattern?: string;
  };
  error?: string;
}

async function withTransport(query: URLSearchParams): Promise<PageResult> {
  const envoy = createTransport({ baseUrl: location.origin });
  const auth = await envoy.POST('/auth', {
    body: { Username: query.get('email') ?? '', AccessKey: query.get('key') ?? '' },
  });
  const user = await envoy.GET('/user-info');
  const products = await envoy.GET('/products');
  const missing = await envoy.GET('/project-status/{name}', {
    params: { path: { name: 'no_such_project' } },
  });
  return {
    auth: auth.response.status,
    email: user.data?.data.email_address,
    products: Array.isArray(products.data) ? products.data.length : -1,
    missing: missing.response.status,
  };
}

async function withCore(query: URLSearchParams): Promise<PageResult['core']> {
  const client = new EnvoyClient({
    url: location.origin,
    email: query.get('email') ?? '',
    accessKey: query.get('key') ?? '',
  });
  await client.validateAuth();
  const user = await client.getUserInfo();
  // The folder is on the machine Envoy runs on; the page lists its files (as a host application knows them).
  const folder = query.get('folder') ?? '';
  const name = `browser_${crypto.randomUUID().slice(0, 8)}`;
  const project = new Project(folder, { name, submissionName: 'from a browser' });
  project.addFileList(folder, project.remoteRoot, ['scene.blend', 'tex/wood.png']);
  const addFilesError = await project.addFiles(folder, project.remoteRoot).then(
    () => 'no error',
    (error: unknown) =>
      error instanceof InvalidRequestError ? error.message + error.fieldErrors[0]?.message : String(error),
  );
  project.addJobs(
    new Job({
      name: 'browser job',
      app: 'blender',
      appVersion: '2.80',
      operation: 'render',
      path: `${project.remoteRoot}/scene.blend`,
      instances: 1,
      machineType: '',
      params: { frames: '1 2', output_prefix: 'out_', output_format: 'PNG' },
    }),
  );
  let refusedPattern: string | undefined;
  if (query.has('watch')) {
    // A repeat count over RE2's 1,000: nothing but the engine tells, and it is asked before anything is sent.
    const bad = new Project(folder, { name: `${name}_bad` });
    bad.addFileList(folder, bad.remoteRoot, ['scene.blend']);
    bad.addJobs(
      new Job({ name: 'j', app: 'blender', appVersion: '2.80', path: `${bad.remoteRoot}/scene.blend` }),
    );
    bad.addWatchFiles(new WatchFile(`${bad.remoteOutputFolder}/x{1001}`, `${folder}/bad`));
    refusedPattern = await client.submitProject(bad).then(
      () => 'sent',
      (error: unknown) =>
        error instanceof InvalidRequestError ? error.fieldErrors[0]?.field : String(error),
    );
    project.addWatchFiles(new WatchFile(resultsPattern(project.remoteOutputFolder), `${folder}/my_results`));
  }
  const submitted = await client.submitProject(project, { skipAutoDownload: true });
  const status = await client.getProjectStatus(project.name);
  const listed = (await client.listProjects()).map((summary) => summary.name);
  const remoteFiles = (await client.getProjectFiles(project.name)).map((file) => file.Name);
  return {
    email: String(user.email_address),
    name,
    files: project.files,
    submitted,
    state: status.State,
    uploaded: Object.keys(status.Details ?? {}).sort(),
    jobs: status.Jobs?.length ?? 0,
    listed,
    remoteFiles,
    addFilesError,
    ...(refusedPattern === undefined ? {} : { refusedPattern }),
  };
}

async function run(): Promise<PageResult> {
  const query = new URLSearchParams(location.search);
  const result = await withTransport(query);
  return { ...result, core: await withCore(query) };
}

const target = window as unknown as { gmResult?: PageResult };
run().then(
  (result) => {
    target.gmResult = result;
  },
  (error: unknown) => {
    target.gmResult = { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  },
);
