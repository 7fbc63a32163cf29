/**
 * The client in a real browser: a page bundled by esbuild for the browser platform runs in headless Chromium
 * (Debian's `chromium`, driven by playwright-core; no browser download) against the emulator, served from the
 * page's own origin by a small proxy. The page uses `@gm/transport` and `@gm/core` (whose main entry holds no
 * Node built-in: `#platform` resolves to pure modules outside Node).
 *
 * Without /usr/bin/chromium the tests are skipped with a note, unless GM_REQUIRE_BROWSER=1 (set by .ci/run,
 * which installs chromium), where a missing browser fails them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_USER, type RunningEmulator, startEmulator } from '@gm/emulator';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult } from '../browser/page.js';
import { bundle, gzipBytes, pageScripts, RE2JS_FILE, upFront } from '../browser/scripts.mjs';

const CHROMIUM = '/usr/bin/chromium';
const HERE = dirname(fileURLToPath(import.meta.url));
const required = process.env.GM_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
if (!available && !required) {
  console.warn(`browser tests skipped: ${CHROMIUM} not found (Debian: apt-get install chromium)`);
}

/**
 * A Node built-in left in a bundle (`import "node:fs"`, `require(...)`). A bare `fs` or `path` cannot be left: for
 * the browser platform esbuild fails to resolve it, and the bundle is not made.
 */
const NODE_BUILT_IN = /["']node:|require\(/;

/**
 * The budgets of `@gm/core` + `@gm/transport` in a browser, in bytes of min+gzip, without re2js (the RE2 engine
 * of watch patterns, its own package of about 46 KB, mostly Unicode tables, which a page loads only when it submits
 * watch rules, to check them before sending; until then a scan refuses what RE2 never takes). The issue asks that
 * everything a page loads for its whole flow (log in, user, projects, a Project given its file list, a Job, watch
 * rules, submit, status, the project's files), re2js aside, be at most 22 KB. The tests below count every script
 * Chromium fetched for that flow, as a web tool ships them (esbuild, code splitting, minified: browser/scripts.mjs,
 * which `pnpm bench -- browser` measures too, without a browser): 25.6 KB (0.2 KB of it the GridMarketsError a
 * failed call still gets when failures.ts cannot be loaded), the page's own code (about 0.7 KB)
 * included; it was 27.0 KB. Taken out of what a page loads: what a failed call becomes (failures.ts: the errors of
 * answers that are not a success or differ from the contract, of no answer, and the checks after a lost submission
 * answer, the errors of missing credentials, credits or another account's answer; about 3.4 KB on its own),
 * loaded by `import()` when a call fails, and the reading of the disk behind
 * `Project.addFiles`, now the Node disk module's. A part loaded apart costs about 0.8 KB besides: the page's code
 * becomes two files (page.js and the chunk it shares with failures.ts), gzipped apart.
 *
 * The 22 KB are not reached. What remains is what the flow runs or what the main entry exports; each figure is
 * what the bundle loses without that module (min+gzip; they overlap a little): Project 2.8 KB (its options' checks,
 * default names, the placing of listed files, jobs and watch rules), EnvoyClient 2.4 KB (its methods, their
 * argument checks and the client's options' checks 1.2 KB more, the shared login and turns 0.3 KB), openapi-fetch
 * 2.3 KB, Job 1.7 KB, the product resolver 1.7 KB with its version order 0.4 KB (`getProductResolver` builds it;
 * loading it with `import()` saves nothing, as the main entry exports the class and esbuild then puts it in a
 * chunk the page loads at once), transport's fetch wrapper (time-outs covering the whole answer, retries, the size
 * cap) 1.5 KB and its errors 0.5 KB, the answer table generated from openapi/envoy.yaml 1.4 KB and the reading and
 * checking of answers 1.2 KB, the wire mapping and the checks of the parameters Envoy reads 1.3 KB, names, paths,
 * JSON values, frames and watch patterns 3.3 KB together, the pure path flavours (posix and Windows, picked by the
 * project folder when a Project is made) 0.7 KB, the error classes 0.9 KB.
 *
 * The second budget is that of the bundle of `EnvoyClient`, `Job` and `Project` without code splitting, where
 * failures.ts is part of the one file: 26.9 KB, was 26.4 KB (esbuild wraps a part loaded by `import()` in a
 * function run on first use). Each budget is what was reached, rounded up to 0.1 KB: growth is a decision.
 */
const PAGE_BUDGET = 25.7 * 1024;
/** The bundle of `EnvoyClient`, `Job` and `Project` in one file (no splitting), re2js left out. */
const CORE_BUDGET = 27.0 * 1024;
/**
 * With re2js bundled too (in one file; or the page's scripts and re2js.js). In one file it grew by 1.7 KB (from
 * 71.6 to 73.7 KB) when failures.ts became a part loaded by `import()`: esbuild then wraps it, and what it imports,
 * in functions run on first use, and orders the file differently. A page ships with code splitting, where the
 * parts loaded by `import()` are files of their own and re2js.js one apart.
 */
const WITH_RE2JS_BUDGET = 73.7 * 1024;

/**
 * Serves the page and its scripts, and passes every other request on to Envoy (`envoyUrl()`, known once the
 * emulator runs): one origin for both, which the emulator is told to let in (it refuses other web origins).
 */
function pageServer(scripts: Map<string, string>, envoyUrl: () => string): Promise<Server> {
  const server = createServer((req, res) => {
    const envoy = new URL(envoyUrl());
    if (req.url?.startsWith('/page.html')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      const importMap = JSON.stringify({ imports: { re2js: `/${RE2JS_FILE}` } });
      res.end(
        `<!doctype html><title>gm</title><script type="importmap">${importMap}</script><script type="module" src="/page.js"></script>`,
      );
      return;
    }
    const script = scripts.get(req.url?.slice(1) ?? '');
    if (script !== undefined) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
      return;
    }
    const { host: _, ...headers } = req.headers;
    const upstream = request(
      { host: envoy.hostname, port: envoy.port, path: req.url, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the page as a browser project', () => {
  it('type-checks with the DOM and no Node types, the declarations of @gm/core and @gm/transport included', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    let problems = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', join(HERE, '..', 'browser', 'tsconfig.json')], {
        encoding: 'utf8',
      });
    } catch (error) {
      problems = String((error as { stdout?: string }).stdout || error);
    }
    expect(problems).toBe('');
  });
});

describe.skipIf(!available && !required)('in headless Chromium', () => {
  let envoy: RunningEmulator;
  let server: Server;
  let browser: Browser;
  let scripts: Map<string, string>;
  let folder: string;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'gm-browser-'));
    mkdirSync(join(folder, 'tex'));
    writeFileSync(join(folder, 'scene.blend'), 'blend');
    writeFileSync(join(folder, 'tex', 'wood.png'), 'png');
    writeFileSync(join(folder, 'not-listed.txt'), 'not in the list: not uploaded');
    scripts = (await pageScripts()).scripts;
    server = await pageServer(scripts, () => envoy.url);
    const { port } = server.address() as AddressInfo;
    envoy = await startEmulator({ timeScale: 0.01, allowedOrigins: [`http://127.0.0.1:${port}`] });
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 120_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await envoy?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('bundles the page (core and transport) for the browser without Node built-ins', () => {
    for (const script of scripts.values()) expect(script).not.toMatch(NODE_BUILT_IN);
    expect(scripts.get('page.js')?.length).toBeGreaterThan(0);
  });

  it('bundles the main entry of @gm/core whole for the browser: no Node built-in, within the size budget', async () => {
    const whole = await bundle("export * from '@gm/core';");
    expect(whole.text).not.toMatch(NODE_BUILT_IN);
    expect(whole.inputs.some((input) => input.path.endsWith('platform-web.mjs'))).toBe(true);
    expect(whole.inputs.some((input) => input.path.endsWith('platform-node.mjs'))).toBe(false);

    // The folder walk is reached through the disk, which a browser has not: no walk in a browser bundle.
    expect(whole.inputs.some((input) => /walk/.test(input.path))).toBe(false);
    expect(whole.text).not.toContain('no disk to walk');

    const used = "export { EnvoyClient, Job, Project } from '@gm/core';";
    const core = gzipBytes((await bundle(used, ['re2js'])).text);
    const all = gzipBytes((await bundle(used)).text);
    console.log(`browser bundle of @gm/core + @gm/transport: ${core} B min+gzip; with re2js: ${all} B`);
    expect(core).toBeLessThanOrEqual(CORE_BUDGET);
    expect(all).toBeLessThanOrEqual(WITH_RE2JS_BUDGET);
  });

  /**
   * Opens the page and waits for what its script saw. `fetched`: every script it loaded, by URL path; `kinds`: the
   * resource type of every request Chromium made (the document, scripts, and the calls to Envoy, `fetch`), so that
   * a test can tell that nothing else was loaded and left uncounted.
   */
  async function openPage(extra: Record<string, string> = {}): Promise<{
    result: PageResult | undefined;
    direct: string;
    fetched: Map<string, Buffer>;
    kinds: Set<string>;
  }> {
    const page = await browser.newPage();
    const bodies: Promise<[string, Buffer]>[] = [];
    const kinds = new Set<string>();
    page.on('request', (request) => {
      kinds.add(request.resourceType());
    });
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'script') return;
      bodies.push(response.body().then((body) => [new URL(response.url()).pathname, body]));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const query = new URLSearchParams({
        email: DEMO_USER.email,
        key: DEMO_USER.accessKey,
        folder,
        ...extra,
      });
      await page.goto(`http://127.0.0.1:${port}/page.html?${query}`);
      await page.waitForFunction(() => (window as { gmResult?: unknown }).gmResult !== undefined, undefined, {
        timeout: 60_000,
      });
      const result = await page.evaluate(() => (window as { gmResult?: PageResult }).gmResult);
      // Every script the flow loads has been fetched by now (the result comes after the flow's last step).
      const fetched = new Map(await Promise.all(bodies));
      // The same calls with the browser's own fetch: the infrastructure (bundle, proxy, emulator) works.
      const direct = await page.evaluate(
        async ([email, key]) => {
          const json = { 'content-type': 'application/json' };
          const body = JSON.stringify({ Username: email, AccessKey: key });
          const auth = await fetch('/auth', { method: 'POST', headers: json, body });
          const user = (await (await fetch('/user-info')).json()) as { data?: { email_address?: string } };
          return `${auth.status} ${user.data?.email_address}`;
        },
        [DEMO_USER.email, DEMO_USER.accessKey],
      );
      return { result, direct, fetched, kinds };
    } finally {
      await page.close();
    }
  }

  /**
   * The min+gzip bytes of every script the page fetched but re2js, each checked to be one of the bundle's files,
   * and nothing but the document, scripts and calls to Envoy fetched: no code reaches the page uncounted.
   */
  function countedScripts(fetched: Map<string, Buffer>, kinds: Set<string>): number {
    expect([...kinds].sort()).toEqual(['document', 'fetch', 'script']);
    expect([...fetched.keys()]).toEqual(expect.arrayContaining(upFront(scripts).map((name) => `/${name}`)));
    let bytes = 0;
    for (const [path, body] of fetched) {
      expect(scripts.get(path.slice(1))).toBe(body.toString('utf8'));
      if (path !== `/${RE2JS_FILE}`) bytes += gzipBytes(body);
    }
    return bytes;
  }

  it("runs the bundled page's script in Chromium, which reaches the emulator from the page's origin", async () => {
    const { result, direct } = await openPage();
    expect(result).toBeDefined(); // the script ran and reported, with an answer or an error
    expect(direct).toBe(`200 ${DEMO_USER.email}`); // the page's own fetch, through the proxy, to the emulator
  });

  it("fetches, for the page's whole flow, scripts of core + transport within the size budget, and no RE2 engine", async () => {
    const { result, fetched, kinds } = await openPage();
    expect(result?.error).toBeUndefined();
    expect(result?.core?.submitted).toEqual(expect.any(String)); // the whole flow ran
    expect([...fetched.keys()]).toContain('/page.js');
    // No watch rule to check: the engine is never loaded.
    expect([...fetched.keys()]).not.toContain(`/${RE2JS_FILE}`);
    const core = countedScripts(fetched, kinds);
    console.log(`scripts the page fetched: ${[...fetched.keys()].join(', ')}; in all: ${core} B min+gzip`);
    expect(core).toBeLessThanOrEqual(PAGE_BUDGET);
  });

  it('loads the RE2 engine only to check watch rules, before sending: a pattern only RE2 refuses is refused', async () => {
    const { result, fetched, kinds } = await openPage({ watch: '1' });
    expect(result?.error).toBeUndefined();
    expect(result?.core?.refusedPattern).toBe('watchFiles[0].pattern');
    expect(result?.core?.submitted).toEqual(expect.any(String)); // a valid rule goes through
    expect([...fetched.keys()]).toContain(`/${RE2JS_FILE}`);
    // The whole flow with watch rules: every script but the engine, within the page's budget.
    const core = countedScripts(fetched, kinds);
    const re2js = gzipBytes(fetched.get(`/${RE2JS_FILE}`) ?? '');
    console.log(
      `scripts the page fetched: ${[...fetched.keys()].join(', ')}; core + transport + page: ${core} B min+gzip; re2js: ${re2js} B`,
    );
    expect(core).toBeLessThanOrEqual(PAGE_BUDGET);
    expect(core + re2js).toBeLessThanOrEqual(WITH_RE2JS_BUDGET);
  });

  it('talks to Envoy from the page through @gm/transport', async () => {
    const { result } = await openPage();
    expect(result?.error).toBeUndefined();
    expect(result).toMatchObject({ auth: 200, email: DEMO_USER.email, missing: 404 });
    expect(result?.products).toBeGreaterThan(0);
  });

  it('runs @gm/core in the page: logs in, reads the user, uploads and submits a Project given its file list, lists projects and files', async () => {
    const { result } = await openPage();
    expect(result?.error).toBeUndefined();
    const core = result?.core;
    expect(core?.email).toBe(DEMO_USER.email);
    expect(core?.files).toEqual(['scene.blend', 'tex/wood.png']);
    expect(core?.submitted).toEqual(expect.any(String));
    expect(core?.jobs).toBe(1);
    // Envoy (the emulator) read exactly the listed files from the folder; the unlisted one stayed.
    const root = `/${core?.name}`;
    expect(core?.uploaded).toEqual([`${root}/scene.blend`, `${root}/tex/wood.png`]);
    expect(core?.listed).toContain(core?.name);
    expect(core?.remoteFiles).toEqual(expect.any(Array));
    // Reading a folder needs a disk: in the browser, addFiles says so and names the way that works.
    expect(core?.addFilesError).toMatch(/no disk.*addFileList/);
  });
});
