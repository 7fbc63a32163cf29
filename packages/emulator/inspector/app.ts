/**
 * The inspector page: plain DOM, fed by the emulator's event stream (`/inspector/events`). Every name a client
 * chose (projects, jobs, files, paths) is set as text, never as markup.
 */

import type { LoggedRequest } from '../src/inspector/log.js';
import type { AccountView, JobView, ProjectView } from '../src/inspector/view.js';

type RequestSummary = Omit<LoggedRequest, 'request' | 'answer'>;
interface Hello {
  renderer: { blender: string; version: string } | null;
  accounts: AccountView[];
  projects: ProjectView[];
  requests: RequestSummary[];
}

/** Most rows the request list keeps. */
const MAX_ROWS = 500;

/** An element with attributes and children (strings become text nodes). */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null) e.append(c);
  return e;
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

const num = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

// ---- tabs -----------------------------------------------------------------------------------------------

const tabs = [$('tab-farm'), $('tab-requests')];
function select(tab: HTMLElement): void {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls') as string).hidden = !on;
  }
}
for (const [i, t] of tabs.entries()) {
  t.addEventListener('click', () => select(t));
  t.addEventListener('keydown', (ev) => {
    const step = ev.key === 'ArrowRight' ? 1 : ev.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = tabs[(i + step + tabs.length) % tabs.length] as HTMLElement;
    select(next);
    next.focus();
  });
}

// ---- accounts -------------------------------------------------------------------------------------------

function renderAccounts(accounts: AccountView[]): void {
  const body = $('accounts').querySelector('tbody') as HTMLElement;
  body.replaceChildren(
    ...accounts.map((a) =>
      el(
        'tr',
        {},
        el('td', {}, a.email),
        el('td', {}, a.name),
        el('td', {}, a.plan),
        el('td', {}, num(a.creditsAvailable)),
        el('td', {}, num(a.creditsConsumed)),
        el('td', {}, a.current ? 'yes' : ''),
      ),
    ),
  );
}

// ---- projects, jobs and frame grids ---------------------------------------------------------------------

const cards = new Map<string, HTMLDetailsElement>();
/** The selected cell of each job's grid, by `project\0job`. */
const selected = new Map<string, number>();
/** Whether each project's card is open, by name (kept across updates). */
const closed = new Set<string>();

function frameUrl(project: string, job: string, frame: number): string {
  return `/inspector/frame/${encodeURIComponent(project)}/${encodeURIComponent(job)}/${frame}`;
}

function cellClass(job: JobView, k: number): string {
  const [done, running, cancelled] = job.grid.cells[k] as [number, number, number];
  const n = job.grid.sizes[k] as number;
  if (running > 0) return 'running';
  if (done === n) return 'done';
  if (cancelled === n) return 'cancelled';
  if (done > 0) return 'partial';
  return cancelled > 0 ? 'cancelled' : 'waiting';
}

function cellText(job: JobView, k: number): string {
  const [done, running, cancelled] = job.grid.cells[k] as [number, number, number];
  const n = job.grid.sizes[k] as number;
  const first = job.grid.frames[k] as number;
  const what = n === 1 ? `frame ${first}` : `${n} frames from ${first}`;
  const waiting = n - done - running - cancelled;
  return `${what}: ${done} done, ${running} running, ${cancelled} cancelled, ${waiting} waiting`;
}

const thumbs = (job: JobView): boolean => job.total <= 64 && (job.ext === 'png' || job.ext === 'jpg');

function renderGrid(project: ProjectView, job: JobView): HTMLElement {
  const key = `${project.name}\u0000${job.id}`;
  const grid = el('div', {
    class: 'grid',
    tabindex: '0',
    role: 'group',
    'aria-label': `Frames of ${job.name}: arrow keys move between cells`,
  });
  const info = el('div', { class: 'cell-info', 'aria-live': 'polite' });
  const show = (k: number): void => {
    selected.set(key, k);
    for (const c of grid.children) c.classList.remove('sel');
    grid.children[k]?.classList.add('sel');
    const [done] = job.grid.cells[k] as [number, number, number];
    const first = job.grid.frames[k] as number;
    const firstDone = done === job.grid.sizes[k];
    const img =
      firstDone && (job.ext === 'png' || job.ext === 'jpg')
        ? el('img', { class: 'preview', src: frameUrl(project.name, job.id, first), alt: `frame ${first}` })
        : null;
    info.replaceChildren(...(img ? [img] : []), el('span', {}, cellText(job, k)));
  };
  for (let k = 0; k < job.grid.cells.length; k++) {
    const cls = cellClass(job, k);
    const cell = el('div', { class: `cell ${cls}`, title: cellText(job, k) });
    const first = job.grid.frames[k] as number;
    if (thumbs(job) && cls === 'done') {
      cell.classList.add('thumb');
      cell.append(
        el('img', { src: frameUrl(project.name, job.id, first), alt: `frame ${first}`, loading: 'lazy' }),
      );
    }
    cell.addEventListener('click', () => show(k));
    grid.append(cell);
  }
  grid.addEventListener('keydown', (ev) => {
    const n = job.grid.cells.length;
    const at = selected.get(key) ?? -1;
    const perRow = Math.max(
      1,
      Math.round(grid.clientWidth / ((grid.firstElementChild as HTMLElement)?.offsetWidth + 2 || 16)),
    );
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: perRow,
      ArrowUp: -perRow,
    };
    const step = moves[ev.key];
    if (step === undefined) return;
    ev.preventDefault();
    show(Math.min(n - 1, Math.max(0, at + step)));
  });
  const at = selected.get(key);
  const wrap = el('div', {}, grid, info);
  if (at !== undefined && at < job.grid.cells.length) show(at);
  return wrap;
}

function renderJob(project: ProjectView, job: JobView): HTMLElement {
  const budget = job.budget
    ? `budget ${num(job.budget.value)} credits, ${job.budget.action}${job.budget.hit ? ' — reached' : ''}`
    : 'no budget';
  return el(
    'div',
    { class: 'job', 'data-job': job.id },
    el(
      'div',
      { class: 'job-head' },
      el('h4', {}, job.name),
      el('span', { class: `state ${job.state}` }, job.state),
      el(
        'span',
        { class: `badge ${job.renderer}` },
        job.renderer === 'blender' ? 'rendered by Blender' : 'simulated',
      ),
      el('span', { class: 'muted' }, `${job.app} ${job.version} · ${job.outputs}`),
    ),
    el(
      'p',
      { class: 'muted' },
      `${num(job.done)} of ${num(job.total)} frames done, ${num(job.running)} running, ${num(job.cancelled)} cancelled · ${num(job.credits)} credits (${num(job.creditRate)} a frame, ${job.instances} at once) · ${budget}`,
    ),
    job.message ? el('p', {}, job.message) : null,
    job.alerts.length > 0
      ? el(
          'ul',
          { class: 'alerts', 'aria-label': 'Alerts' },
          ...job.alerts.map((a) => el('li', {}, `${a.At}: ${a.Message}`)),
        )
      : null,
    renderGrid(project, job),
  );
}

function renderProject(p: ProjectView): HTMLDetailsElement {
  const card = el('details', { class: 'project', 'data-project': p.name }) as HTMLDetailsElement;
  card.open = !closed.has(p.name);
  card.addEventListener('toggle', () => {
    if (card.open) closed.delete(p.name);
    else closed.add(p.name);
  });
  const t = p.uploadTotals;
  const uploads = el(
    'table',
    { class: 'uploads' },
    el('thead', {}, el('tr', {}, el('th', {}, 'File'), el('th', {}, 'State'), el('th', {}, 'Progress'))),
    el(
      'tbody',
      {},
      ...p.uploads.map((u) =>
        el(
          'tr',
          {},
          el('td', {}, u.rel),
          el('td', {}, u.error ? `${u.state}: ${u.error}` : u.state),
          el(
            'td',
            {},
            el('progress', { max: String(Math.max(1, u.size)), value: String(u.bytesDone) }),
            ` ${size(u.bytesDone)} of ${size(u.size)}`,
          ),
        ),
      ),
    ),
  );
  const d = p.downloadTotals;
  card.append(
    el(
      'summary',
      {},
      el('h3', {}, p.name),
      el('span', { class: `state ${p.state}` }, p.state),
      el('span', { class: 'muted' }, p.message),
      el('span', { class: 'muted' }, `owner ${p.owner}`),
    ),
    el('h4', {}, `Uploads: ${t.completed} of ${t.files} files, ${size(t.bytesDone)} of ${size(t.bytes)}`),
    p.uploads.length > 0 ? uploads : el('p', { class: 'muted' }, 'No file uploaded.'),
    el('h4', {}, `Watch rules and downloads: ${d.done} done, ${d.pending} pending, ${d.failed} failed`),
    p.watch.length > 0
      ? el(
          'ul',
          {},
          ...p.watch.map((w) => el('li', {}, el('code', {}, w.pattern), ' → ', el('code', {}, w.folder))),
        )
      : el('p', { class: 'muted' }, 'No watch rule: results stay in the store.'),
    ...(p.downloads.length > 0
      ? [
          el(
            'ul',
            { class: 'downloads' },
            ...p.downloads.slice(-10).map((x) => el('li', {}, `${x.state}: ${x.remote} → ${x.target}`)),
          ),
        ]
      : []),
    el('h4', {}, `Jobs (${p.jobs.length})`),
    ...p.jobs.map((j) => renderJob(p, j)),
  );
  return card;
}

function upsertProject(p: ProjectView): void {
  const card = renderProject(p);
  const old = cards.get(p.name);
  // Keep the keyboard where it was: the grid that had focus gets it back in the new card.
  const focusedJob = old?.contains(document.activeElement)
    ? (document.activeElement?.closest('.job') as HTMLElement | null)?.dataset.job
    : undefined;
  if (old) old.replaceWith(card);
  else $('projects').append(card);
  cards.set(p.name, card);
  if (focusedJob !== undefined) {
    for (const job of card.querySelectorAll<HTMLElement>('.job')) {
      if (job.dataset.job === focusedJob) job.querySelector<HTMLElement>('.grid')?.focus();
    }
  }
  $('no-projects').hidden = cards.size > 0;
}

function keepProjects(names: string[]): void {
  const keep = new Set(names);
  for (const [name, card] of cards) {
    if (keep.has(name)) continue;
    card.remove();
    cards.delete(name);
  }
  $('no-projects').hidden = cards.size > 0;
}

// ---- request log ----------------------------------------------------------------------------------------

const rows = new Map<number, HTMLTableRowElement>();

async function showRequest(id: number): Promise<void> {
  for (const [rid, row] of rows) row.setAttribute('aria-selected', String(rid === id));
  const detail = $('detail');
  const res = await fetch(`/inspector/request/${id}`);
  if (!res.ok) {
    detail.replaceChildren(el('p', { class: 'problems' }, `Request ${id} is no longer in the log.`));
    return;
  }
  const e = (await res.json()) as LoggedRequest;
  detail.replaceChildren(
    el('h3', {}, `${e.method} ${e.path}`),
    el('p', { class: 'muted' }, `${e.at} · status ${e.status} · ${e.ms} ms`),
    el('h4', {}, 'Contract (openapi/envoy.yaml)'),
    e.problems.length > 0
      ? el('ul', { class: 'problems' }, ...e.problems.map((p) => el('li', {}, p)))
      : el('p', { class: 'okay' }, 'The request and the answer match the contract.'),
    el('h4', {}, 'Request body'),
    e.request === null
      ? el('p', { class: 'muted' }, 'none')
      : el('pre', { class: 'request-body' }, e.request),
    el('h4', {}, 'Answer body'),
    e.answer === null ? el('p', { class: 'muted' }, 'none') : el('pre', { class: 'answer-body' }, e.answer),
  );
}

function addRequests(list: RequestSummary[]): void {
  const body = $('log').querySelector('tbody') as HTMLElement;
  for (const r of list) {
    if (rows.has(r.id)) continue;
    const row = el(
      'tr',
      { tabindex: '0', 'data-id': String(r.id), 'aria-selected': 'false' },
      el('td', {}, String(r.id)),
      el('td', {}, r.at.slice(11, 23)),
      el('td', {}, r.method),
      el('td', { class: 'path' }, r.path),
      el('td', { class: `s${String(r.status)[0]}` }, String(r.status)),
      el('td', {}, String(r.ms)),
      r.problems.length > 0
        ? el('td', { class: 'problems', title: r.problems.join('\n') }, `${r.problems.length} problem(s)`)
        : el('td', { class: 'okay' }, 'ok'),
    );
    row.addEventListener('click', () => void showRequest(r.id));
    row.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        void showRequest(r.id);
      } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        const next = (
          ev.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling
        ) as HTMLElement | null;
        next?.focus();
      }
    });
    body.append(row);
    rows.set(r.id, row);
  }
  while (rows.size > MAX_ROWS) {
    const [first] = rows.keys();
    rows.get(first as number)?.remove();
    rows.delete(first as number);
  }
  $('request-count').textContent = `(${rows.size})`;
}

// ---- the stream -----------------------------------------------------------------------------------------

function connect(): void {
  const events = new EventSource('/inspector/events');
  const live = $('live');
  events.addEventListener('hello', (ev) => {
    const hello = JSON.parse((ev as MessageEvent<string>).data) as Hello;
    live.textContent = 'live';
    live.classList.remove('off');
    $('renderer').textContent = hello.renderer
      ? `Blender jobs rendered by ${hello.renderer.version} (${hello.renderer.blender}); other products simulated`
      : 'Every frame simulated (no Blender found)';
    renderAccounts(hello.accounts);
    keepProjects(hello.projects.map((p) => p.name));
    for (const p of hello.projects) upsertProject(p);
    addRequests(hello.requests);
  });
  events.addEventListener('accounts', (ev) => renderAccounts(JSON.parse((ev as MessageEvent<string>).data)));
  events.addEventListener('projects', (ev) => keepProjects(JSON.parse((ev as MessageEvent<string>).data)));
  events.addEventListener('project', (ev) => upsertProject(JSON.parse((ev as MessageEvent<string>).data)));
  events.addEventListener('requests', (ev) => addRequests(JSON.parse((ev as MessageEvent<string>).data)));
  events.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.classList.add('off');
  });
}

connect();
