/**
 * The web inspector in a real browser: Debian's `chromium`, driven by playwright-core (no browser download),
 * opens the emulator's page while a client submits projects. Screenshots of each view are saved in
 * `.tmp/inspector/` (git-ignored) for review.
 *
 * Without /usr/bin/chromium the tests are skipped with a note, unless GM_REQUIRE_BROWSER=1 (set by .ci/run,
 * which installs chromium), where a missing browser fails them.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER } from '../src/index.js';
import { type Client, job, raw, setup, submitBody, tempDir, writeFiles } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '.tmp', 'inspector');
const required = process.env.GM_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
if (!available && !required) {
  console.warn(`inspector browser tests skipped: ${CHROMIUM} not found (Debian: apt-get install chromium)`);
}

describe.runIf(available || required)('the inspector in Chromium', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let client: Client;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // Frames take a while (50 ms each), so that the page sees them appear one after another.
    env = await setup({ timeScale: 0.05, blender: false });
    client = env.client;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 120_000 });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await env?.cleanup();
  });

  it('shows a submitted project: its frames appearing, and the submit body in the request log', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(env.emulator.inspectorUrl);
    await page.getByText('live', { exact: true }).waitFor();
    await expect(page.locator('#accounts tbody tr').first().textContent()).resolves.toContain('@');

    await client.login();
    const local = await tempDir();
    await writeFiles(local, { 'scene.blend': 'a scene' });
    const out = await tempDir('gm-inspector-out-');
    const body = submitBody(
      'spaceship',
      local,
      ['scene.blend'],
      [job('spaceship', { name: 'beauty' }, { frames: '1 40' })],
      {
        watch_files: { '/spaceship/render_results/my_results/.+': out },
      },
    );
    expect((await client.call('POST', '/project-submit', { body })).status).toBe(201);

    const card = page.locator('details.project[data-project="spaceship"]');
    await card.waitFor();
    // Frames appear one after another: first some done while others wait, then all 40 as thumbnails.
    await expect
      .poll(async () => {
        const cells = await card.locator('.cell').count();
        const done = await card.locator('.cell.done').count();
        return cells === 40 && done > 0 && done < 40;
      })
      .toBe(true);
    await page.screenshot({ path: join(SHOTS, 'farm-rendering.png'), fullPage: true });
    await expect.poll(() => card.locator('.cell.done img').count(), { timeout: 60_000 }).toBe(40);
    // A thumbnail is the frame the store holds (a PNG the browser could decode).
    const width = await card
      .locator('.cell.done img')
      .first()
      .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    expect(width).toBe(64);
    await expect(card.locator('summary').textContent()).resolves.toMatch(/Completed|Downloading/);
    await page.screenshot({ path: join(SHOTS, 'farm-completed.png'), fullPage: true });

    // The keyboard reaches the grid and moves through it.
    await card.locator('.grid').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(card.locator('.cell-info').textContent()).resolves.toContain('frame 2: 1 done');

    // The request log: the tab by keyboard, the submit row by keyboard, its body as sent.
    await page.locator('#tab-farm').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('#requests').isVisible()).resolves.toBe(true);
    const submitRow = page.locator('#log tbody tr', { hasText: '/project-submit' });
    await submitRow.focus();
    await page.keyboard.press('Enter');
    const requestBody = page.locator('#detail .request-body');
    await requestBody.waitFor();
    const shown = JSON.parse((await requestBody.textContent()) ?? '');
    expect(shown.project_request.jobs[0]).toMatchObject({ name: 'beauty', params: { frames: '1 40' } });
    await expect(page.locator('#detail').textContent()).resolves.toContain('match the contract');
    await page.screenshot({ path: join(SHOTS, 'requests-submit.png'), fullPage: true });

    // The login's access key never reaches the page.
    const authRow = page.locator('#log tbody tr', { hasText: '/auth' });
    await authRow.click();
    await page.locator('#detail h3', { hasText: 'POST /auth' }).waitFor();
    await expect(page.locator('#detail .request-body').textContent()).resolves.toContain(
      '"AccessKey": "[redacted]"',
    );
    expect(await page.content()).not.toContain(DEMO_USER.accessKey);
    expect(pageErrors).toEqual([]);
  });

  it('shows what the contract says of a request it refuses', async () => {
    await client.call('POST', '/project-submit', { body: { project_request: { jobs: 'many' } } });
    await page.locator('#tab-requests').click();
    const row = page.locator('#log tbody tr', { hasText: '400' }).last();
    await row.waitFor();
    await row.click();
    await expect(page.locator('#detail .problems').textContent()).resolves.toContain(
      'request project_request',
    );
    await page.screenshot({ path: join(SHOTS, 'requests-problems.png'), fullPage: true });
  });

  it('shows hostile names as text, never as markup', async () => {
    // Project names may not hold < > " (they become folders), but entities would turn into markup in HTML;
    // job names may hold anything.
    const project = '&lt;img src=x onerror=window.__pwned=1&gt; {{7+7}}';
    const jobName = '<img src=x onerror="window.__pwned=2"><script>window.__pwned=3</script>';
    const local = await tempDir();
    await writeFiles(local, { 'scene.blend': 'a scene' });
    const body = submitBody(project, local, ['scene.blend'], [job(project, { name: jobName })]);
    const answer = await client.call('POST', '/project-submit', { body });
    expect(answer.body).toMatchObject({ ID: project });
    await page.locator('#tab-farm').click();
    const card = page.locator('details.project').filter({ has: page.locator('h3', { hasText: project }) });
    await card.waitFor();
    await expect(card.locator('h3').textContent()).resolves.toBe(project);
    await expect(card.locator('.job h4').textContent()).resolves.toBe(jobName);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"], main script').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'farm-hostile-names.png'), fullPage: true });
  });

  it('is refused to other sites, like the API', async () => {
    const { url } = env.emulator;
    const cross = await raw(url, 'GET', '/inspector/events', { 'sec-fetch-site': 'cross-site' });
    expect(cross.status).toBe(403);
    const rebound = await raw(url, 'GET', '/', { host: 'evil.example:80' });
    expect(rebound.status).toBe(403);
    const page = await raw(url, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    // Read-only: nothing but GET.
    expect(
      (await raw(url, 'POST', '/inspector/events', { 'content-type': 'application/json' }, '{}')).status,
    ).toBe(404);
  });
});
