/**
 * The client in a real browser: a page bundled by esbuild for the browser platform runs in headless Chromium
 * (Debian's `chromium`, driven by playwright-core; no browser download) against the emulator, served from the
 * page's own origin by a small proxy. Today the page uses `@gm/transport`; `@gm/core` joins once its main entry
 * has no Node built-ins (see the todo below).
 *
 * Without /usr/bin/chromium the tests are skipped with a note, unless GM_REQUIRE_BROWSER=1 (set by .ci/run,
 * which installs chromium), where a missing browser fails them.
 */
import { existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DEMO_USER, type RunningEmulator, startEmulator } from '@gm/emulator';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult } from '../browser/page.js';

const CHROMIUM = '/usr/bin/chromium';
const PAGE = join(dirname(fileURLToPath(import.meta.url)), '..', 'browser', 'page.ts');
const required = process.env.GM_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
if (!available && !required) {
  console.warn(`browser tests skipped: ${CHROMIUM} not found (Debian: apt-get install chromium)`);
}

/** The page bundled for the browser, as a plugin panel or web tool would bundle it. */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/** Serves the page and its script, and passes every other request on to Envoy: one origin for both. */
function pageServer(script: string, envoyUrl: string): Promise<Server> {
  const envoy = new URL(envoyUrl);
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/page.html')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>gm</title><script type="module" src="/page.js"></script>');
      return;
    }
    if (req.url === '/page.js') {
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

describe.skipIf(!available && !required)('in headless Chromium', () => {
  let envoy: RunningEmulator;
  let server: Server;
  let browser: Browser;
  let script: string;
  beforeAll(async () => {
    envoy = await startEmulator({ timeScale: 0.01 });
    script = await bundle(PAGE);
    server = await pageServer(script, envoy.url);
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 120_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await envoy?.close();
  });

  it('bundles @gm/transport for the browser, small and without Node built-ins', () => {
    expect(script).not.toMatch(/["']node:|require\(/);
    const gzipped = gzipSync(script).length;
    console.log(
      `browser bundle of the page with @gm/transport: ${script.length} B min, ${gzipped} B min+gzip`,
    );
    expect(gzipped).toBeLessThanOrEqual(12 * 1024); // the budget of core + transport together
  });

  /** Opens the page and waits for what its script saw. */
  async function openPage(): Promise<{ result: PageResult | undefined; direct: string }> {
    const page = await browser.newPage();
    try {
      const { port } = server.address() as AddressInfo;
      const query = new URLSearchParams({ email: DEMO_USER.email, key: DEMO_USER.accessKey });
      await page.goto(`http://127.0.0.1:${port}/page.html?${query}`);
      await page.waitForFunction(() => (window as { gmResult?: unknown }).gmResult !== undefined, undefined, {
        timeout: 60_000,
      });
      const result = await page.evaluate(() => (window as { gmResult?: PageResult }).gmResult);
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
      return { result, direct };
    } finally {
      await page.close();
    }
  }

  it("runs the bundled page's script in Chromium, which reaches the emulator from the page's origin", async () => {
    const { result, direct } = await openPage();
    expect(result).toBeDefined(); // the script ran and reported, with an answer or an error
    expect(direct).toBe(`200 ${DEMO_USER.email}`); // the page's own fetch, through the proxy, to the emulator
  });

  // Known defect, left to the change that gives @gm/core a browser entry (packages/*/src is not edited here):
  // createEnvoyFetch in packages/transport/src/index.ts builds its user agent from process.versions.node, so
  // every request of @gm/transport in a browser throws "ReferenceError: process is not defined". The test
  // states the behaviour a browser user needs; `.fails` goes once the transport runs without `process`.
  it.fails('talks to Envoy from the page through @gm/transport', async () => {
    const { result } = await openPage();
    expect(result).toEqual({ auth: 200, email: DEMO_USER.email, products: expect.any(Number), missing: 404 });
    expect(result?.products).toBeGreaterThan(0);
  });

  it.todo(
    'runs @gm/core (EnvoyClient, Project with an explicit file list) in the page, once core has a browser entry',
  );
});
