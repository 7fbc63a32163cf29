import { chmod, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedValues } from './completion-cache.js';

const posix = process.platform !== 'win32';

/** A cache folder holding a fresh answer `planted` under the key `k`. */
async function planted(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'gm-cache-')), 'gm');
  await mkdir(dir, { mode: 0o700 });
  await writeFile(
    join(dir, 'completion.json'),
    JSON.stringify({ k: { at: Date.now(), values: ['planted'] } }),
    {
      mode: 0o600,
    },
  );
  return dir;
}

describe('the completion cache', () => {
  it('answers from a fresh entry of its own file', async () => {
    const dir = await planted();
    expect(await cachedValues({ GM_CACHE_DIR: dir }, 'k', 60_000, async () => ['envoy'])).toEqual([
      'planted',
    ]);
  });

  it.runIf(posix)('ignores a file or folder others can write to, and a link, and asks Envoy', async () => {
    const file = await planted();
    await chmod(join(file, 'completion.json'), 0o666);
    expect(await cachedValues({ GM_CACHE_DIR: file }, 'k', 60_000, async () => ['envoy'])).toEqual(['envoy']);
    // Replaced by this user's own.
    expect(JSON.parse(await readFile(join(file, 'completion.json'), 'utf8')).k.values).toEqual(['envoy']);

    const folder = await planted();
    await chmod(folder, 0o777);
    expect(await cachedValues({ GM_CACHE_DIR: folder }, 'k', 60_000, async () => ['envoy'])).toEqual([
      'envoy',
    ]);
    // Nothing written where others could read or change it.
    expect(JSON.parse(await readFile(join(folder, 'completion.json'), 'utf8')).k.values).toEqual(['planted']);

    const link = join(await mkdtemp(join(tmpdir(), 'gm-cache-')), 'gm');
    await mkdir(link, { mode: 0o700 });
    await symlink(join(await planted(), 'completion.json'), join(link, 'completion.json'));
    expect(await cachedValues({ GM_CACHE_DIR: link }, 'k', 60_000, async () => ['envoy'])).toEqual(['envoy']);
  });
});
