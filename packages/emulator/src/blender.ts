/**
 * Real rendering with a local Blender: one process per frame, contained (no Python auto-run, factory settings,
 * a time limit, a cap on processes, its own folder as the only place it may write), reading the scene and its
 * files from the emulator's store only. What Blender complains about (missing images, libraries, caches)
 * comes back as warnings.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Blender's `-F` format for each output extension the emulator gives a job. */
const FORMATS: ReadonlyMap<string, string> = new Map([
  ['png', 'PNG'],
  ['jpg', 'JPEG'],
  ['jp2', 'JPEG2000'],
  ['exr', 'OPEN_EXR'],
  ['tif', 'TIFF'],
  ['tiff', 'TIFF'],
  ['bmp', 'BMP'],
  ['tga', 'TARGA'],
  ['hdr', 'HDR'],
  ['dpx', 'DPX'],
  ['cin', 'CINEON'],
  ['webp', 'WEBP'],
]);

/** Whether `file` is an executable file. */
function executable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Blender executable to render with: `option` when it is a path (which must be an executable file: a
 * TypeError names the fix otherwise), `blender` found on PATH when it is `true` (or none), none otherwise.
 */
export function findBlender(
  option: string | boolean | undefined,
  path = process.env.PATH ?? '',
): string | null {
  if (option === false || option === undefined) return null;
  if (typeof option === 'string') {
    const file = resolve(option);
    if (!executable(file)) {
      throw new TypeError(
        `blender: ${option} is not an executable file; give the path of Blender's program (e.g. /usr/bin/blender), or leave it out to simulate every frame`,
      );
    }
    return file;
  }
  const names = process.platform === 'win32' ? ['blender.exe'] : ['blender'];
  for (const dir of path.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    for (const name of names) if (executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** One frame to render. */
export interface BlenderFrame {
  /** The scene, in the store. */
  scene: string;
  /** The project's folder in the store: the only files the scene may read. */
  projectRoot: string;
  /** Local source path → store path of each uploaded file (an absolute path in the scene naming one reads it). */
  uploads: Readonly<Record<string, string>>;
  /** Frame number. */
  frame: number;
  /** Output extension (`png`, `exr`, ...). */
  ext: string;
  /** A fresh folder for this frame: Blender's output, home and temp folder; removed by the caller. */
  workDir: string;
}

/** How a frame's render ended. */
export type BlenderOutcome =
  | { ok: true; file: string; size: number; sha256: string; warnings: string[] }
  | { ok: false; reason: string; warnings: string[]; cancelled?: boolean };

/** A frame handed to {@link BlenderPool.render}: its outcome, and a way to stop it. */
export interface BlenderRun {
  readonly done: Promise<BlenderOutcome>;
  cancel(): void;
}

/** Most bytes of each output stream kept for reading warnings. */
const MAX_OUTPUT = 512 * 1024;
/** Most warnings kept per frame. */
const MAX_WARNINGS = 20;

/**
 * The Python the emulator runs (as `--python-expr`, not from the scene, so `--disable-autoexec` leaves it on)
 * before rendering: every file path of the scene (images, libraries, caches, sounds, clips) is pointed into the
 * store, where an absolute path of a file uploaded from the user's folder reads its uploaded copy and any other
 * path outside the project's folder reads nothing; each file not there is reported on a `GM-MISSING` line.
 */
const REMAP = `
import bpy, json, os
cfg = json.loads(os.environ['GM_EMULATOR_REMAP'])
root = os.path.normpath(cfg['root'])
uploads = {os.path.normpath(k): v for k, v in cfg['uploads'].items()}
nowhere = cfg['nowhere']
def place(raw, lib=None):
    if not raw:
        return raw
    a = os.path.normpath(bpy.path.abspath(raw, library=lib))
    if a in uploads:
        return uploads[a]
    if a == root or a.startswith(root + os.sep):
        return a
    return os.path.join(nowhere, a.replace(':', '').lstrip('/\\\\'))
def visit(kind, items, attr='filepath', check=True):
    for it in items:
        if getattr(it, 'packed_file', None) is not None:
            continue
        if kind == 'image' and it.source not in ('FILE', 'SEQUENCE', 'MOVIE', 'TILED'):
            continue
        raw = getattr(it, attr, '')
        if not raw or raw.startswith('<'):
            continue
        new = place(raw, getattr(it, 'library', None))
        if new != os.path.normpath(bpy.path.abspath(raw, library=getattr(it, 'library', None))):
            setattr(it, attr, new)
            if kind == 'library':
                try:
                    it.reload()
                except Exception:
                    pass
        probe = new.replace('<UDIM>', '1001').replace('#', '0') if check else new
        if check and not os.path.exists(probe) and not ('#' in new or '<UDIM>' in new):
            print('GM-MISSING %s %s' % (kind, raw), flush=True)
visit('library', bpy.data.libraries)
visit('image', bpy.data.images)
visit('cache', bpy.data.cache_files)
visit('sound', bpy.data.sounds)
visit('clip', bpy.data.movieclips)
visit('volume', bpy.data.volumes)
for t in bpy.data.texts:
    if t.use_module:
        print('GM-SCRIPT %s' % t.name, flush=True)
`;

/** Lines of Blender's output that are complaints worth a warning. */
const COMPLAINT =
  /\b(warning|error)\b|unable to open|cannot (read|open|find)|can't (read|open|find)|not found|failed to (read|open|load)|missing|auto-?exec|scripts disabled|skipping driver/i;
/** Lines that match {@link COMPLAINT} but say nothing about the scene. */
const NOISE = /^(ALSA|AL lib|Color management: using fallback|Fra:|Blender quit|Saved: |Time: )/;

/** The warnings found in Blender's output, in the words a user reads (store paths as the scene named them). */
export function complaints(output: string, hide: readonly string[] = []): string[] {
  const out: string[] = [];
  for (let line of output.split(/\r?\n/)) {
    line = line.trim();
    if (!line) continue;
    let warning: string | null = null;
    const missing = /^GM-MISSING (\w+) (.*)$/.exec(line);
    const script = /^GM-SCRIPT (.*)$/.exec(line);
    if (missing) warning = `missing ${missing[1]}: ${missing[2]} (not in the uploaded files)`;
    else if (script) warning = `script ${script[1]} was not run (Python auto-run is disabled)`;
    else if (line.startsWith('GM-')) continue;
    else if (COMPLAINT.test(line) && !NOISE.test(line)) warning = `Blender: ${line}`;
    if (!warning) continue;
    for (const h of hide) if (h) warning = warning.split(h).join('');
    if (warning.length > 500) warning = `${warning.slice(0, 497)}...`;
    if (!out.includes(warning)) out.push(warning);
    if (out.length >= MAX_WARNINGS) break;
  }
  return out;
}

/** Options of a {@link BlenderPool}. */
export interface BlenderPoolOptions {
  /** Most seconds one frame may take before its process is killed. */
  frameSeconds: number;
  /** Most Blender processes at once. */
  processes: number;
}

/** The default cap on Blender processes: half the CPUs, at least one. */
export function defaultBlenderProcesses(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

/** Runs frames with one Blender, at most `processes` at once; the others wait their turn in order. */
export class BlenderPool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly children = new Set<ChildProcess>();
  private versionText: Promise<string> | null = null;
  private closed = false;

  constructor(
    /** The Blender executable. */
    readonly exe: string,
    private readonly options: BlenderPoolOptions,
  ) {}

  /** `blender 3.4.1` (from `blender --version`), or `blender` when it does not say. */
  version(): Promise<string> {
    this.versionText ??= new Promise((done) => {
      execFile(this.exe, ['--factory-startup', '--version'], { timeout: 30_000 }, (_err, stdout) => {
        const m = /Blender\s+(\d+\.\d+(?:\.\d+)?)/.exec(String(stdout ?? ''));
        done(m ? `blender ${m[1]}` : 'blender');
      });
    });
    return this.versionText;
  }

  /** Renders one frame when a process is free; the outcome never rejects. */
  render(frame: BlenderFrame): BlenderRun {
    let cancelled = false;
    let child: ChildProcess | null = null;
    let dequeue: (() => void) | null = null;
    let cancelWaiting = (): void => {};
    const done = new Promise<BlenderOutcome>((settle) => {
      const start = (): void => {
        if (cancelled || this.closed) {
          settle({ ok: false, reason: 'cancelled', warnings: [], cancelled: true });
          this.release();
          return;
        }
        this.run(frame, (c) => {
          child = c;
        }).then(
          (outcome) => {
            this.release();
            settle(cancelled ? { ok: false, reason: 'cancelled', warnings: [], cancelled: true } : outcome);
          },
          (err: unknown) => {
            this.release();
            settle({ ok: false, reason: (err as Error).message, warnings: [] });
          },
        );
      };
      if (this.active < this.options.processes) {
        this.active++;
        start();
      } else {
        dequeue = () => start();
        this.waiting.push(dequeue);
      }
      // A frame cancelled while it waits leaves the queue at once.
      cancelWaiting = () => {
        const at = dequeue ? this.waiting.indexOf(dequeue) : -1;
        if (at >= 0) {
          this.waiting.splice(at, 1);
          settle({ ok: false, reason: 'cancelled', warnings: [], cancelled: true });
        }
      };
    });
    return {
      done,
      cancel: () => {
        cancelled = true;
        cancelWaiting();
        if (child) killTree(child);
      },
    };
  }

  /** Kills every Blender process and refuses new frames. */
  close(): void {
    this.closed = true;
    for (const c of this.children) killTree(c);
    for (const w of this.waiting.splice(0)) w();
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  private async run(frame: BlenderFrame, started: (c: ChildProcess) => void): Promise<BlenderOutcome> {
    const { workDir } = frame;
    await mkdir(join(workDir, 'home'), { recursive: true });
    const format = FORMATS.get(frame.ext);
    const args = [
      '--background',
      '--factory-startup',
      '--disable-autoexec',
      '-noaudio',
      frame.scene,
      '--python-exit-code',
      '1',
      '--python-expr',
      REMAP,
      '--render-output',
      join(workDir, 'out_#'),
      ...(format ? ['--render-format', format] : []),
      '--use-extension',
      '1',
      '--threads',
      '1',
      '--render-frame',
      String(frame.frame),
    ];
    const home = join(workDir, 'home');
    // Blender's user folders, temp files and crash log all land in the frame's own folder.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      USERPROFILE: home,
      TMPDIR: home,
      TEMP: home,
      TMP: home,
      XDG_CONFIG_HOME: home,
      XDG_CACHE_HOME: home,
      XDG_DATA_HOME: home,
      BLENDER_USER_CONFIG: join(home, 'config'),
      BLENDER_USER_SCRIPTS: join(home, 'scripts'),
      BLENDER_USER_DATAFILES: join(home, 'datafiles'),
      GM_EMULATOR_REMAP: JSON.stringify({
        root: frame.projectRoot,
        uploads: frame.uploads,
        nowhere: join(workDir, 'not-uploaded'),
      }),
    };
    const child = spawn(this.exe, args, {
      cwd: home,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    this.children.add(child);
    started(child);
    let output = '';
    const keep = (chunk: Buffer): void => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let timedOut = false;
    const limit = setTimeout(() => {
      timedOut = true;
      killTree(child);
    }, this.options.frameSeconds * 1000);
    const code = await new Promise<number | null>((done) => {
      child.on('error', (err) => {
        output += `\nError: ${err.message}`;
        done(null);
      });
      child.on('close', (c) => done(c));
    });
    clearTimeout(limit);
    this.children.delete(child);
    const warnings = complaints(output, [join(workDir, 'not-uploaded')]);
    if (!format)
      warnings.unshift(`Blender cannot write .${frame.ext} files: the frame is in the scene's format`);
    if (timedOut) {
      return {
        ok: false,
        reason: `stopped at its time limit of ${this.options.frameSeconds} s`,
        warnings,
      };
    }
    const names = (await readdir(workDir)).filter((n) => n.startsWith('out_'));
    const [name] = names;
    if (code !== 0 || !name) {
      const last =
        output
          .split(/\r?\n/)
          .filter((l) => /error|fail|cannot|unable/i.test(l))
          .at(-1) ?? `Blender ended with code ${code} and wrote no frame`;
      return { ok: false, reason: last.trim(), warnings };
    }
    const file = join(workDir, name);
    const data = await readFile(file);
    return {
      ok: true,
      file,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      warnings,
    };
  }
}

/** Kills a process and the processes it started (its process group, where there is one). */
function killTree(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill('SIGKILL');
    else process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Removes a frame's work folder (what Blender left there). */
export async function removeWorkDir(dir: string): Promise<void> {
  if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
}
