import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { APIError, InvalidRequestError } from '@gm/core';
import { didYouMean } from '@gm/products';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { commandNameOf } from '../program.js';
import { checkUrl } from './client.js';
import { isNotFound, isUnreachable, reportError } from './errors.js';
import { UsageError } from './exit-codes.js';
import { checkSchema, JOB_FILE_SCHEMA } from './job-file.js';

describe('the command a command line runs', () => {
  it('skips global options and their values, and help', () => {
    expect(commandNameOf(['status', 'x'])).toBe('status');
    expect(commandNameOf(['--url', 'http://h', '--json', 'status'])).toBe('status');
    expect(commandNameOf(['--url=http://h', '-q', 'files', 'p'])).toBe('files');
    expect(commandNameOf(['--profile', 'status', 'login'])).toBe('login');
    expect(commandNameOf(['help', 'login'])).toBe('login');
    expect(commandNameOf(['--help'])).toBeUndefined();
    expect(commandNameOf([])).toBeUndefined();
  });
});

describe('Envoy URLs', () => {
  it('accepts http(s) URLs and refuses the rest with exit 2, naming the source', () => {
    expect(checkUrl('http://localhost:8090/', '--url')).toBe('http://localhost:8090');
    expect(checkUrl('https://envoy.example:443', '--url')).toBe('https://envoy.example:443');
    expect(checkUrl('http://localhost:8090/ ', 'GM_ENVOY_URL')).toBe('http://localhost:8090');
    for (const bad of ['notaurl', 'localhost:8090', 'ftp://h', 'file:///x', 'http://', '']) {
      expect(() => checkUrl(bad, 'GM_ENVOY_URL'), bad).toThrow(UsageError);
    }
    expect(() => checkUrl('notaurl', 'GM_ENVOY_URL')).toThrow(/from GM_ENVOY_URL/);
  });
  it("refuses what the client refuses, by the client's rule, without showing a secret", () => {
    for (const bad of ['http://me:pa55word@h.test', 'ftp://me:pa55word@h.test', 'me:pa55word@h.test:8090']) {
      const error = (() => {
        try {
          checkUrl(bad, 'the profile "work"');
        } catch (e) {
          return e as UsageError;
        }
      })();
      expect(error, bad).toBeInstanceOf(UsageError);
      expect(error?.message).toContain('(from the profile "work")');
      expect(`${error?.message} ${error?.hint}`).not.toContain('pa55word');
    }
    expect(() => checkUrl('http://h.test/?x=1', '--url')).toThrow(/query or fragment/);
  });
});

describe('did you mean', () => {
  it('suggests only plausible names', () => {
    expect(didYouMean('blendr', ['blender', 'c4d', 'hou'])).toBe('blender');
    expect(didYouMean('BLENDER', ['blender'])).toBe('blender');
    expect(didYouMean('xyz', ['blender', 'c4d'])).toBeUndefined();
    expect(didYouMean('a', [])).toBeUndefined();
  });
});

describe('error reports', () => {
  it('lists a field problem once, and points at gm validate only for job files', () => {
    const error = new InvalidRequestError('The request has 1 problem: product: unknown product x', {
      fieldErrors: [{ field: 'product', message: 'unknown product x' }],
    });
    expect(reportError(error, { command: 'machines' })).toMatchObject({ details: [] });
    expect(reportError(error, { command: 'machines' }).hint).not.toContain('validate');
    expect(reportError(error, { command: 'submit' }).hint).toContain('gm validate');
    const many = new InvalidRequestError('Invalid request', {
      fieldErrors: [
        { field: 'a', message: 'bad' },
        { field: 'b', message: 'worse' },
      ],
    });
    expect(reportError(many).details).toEqual(['a: bad', 'b: worse']);
  });

  it('tells no answer (5) and not found (404) apart from other service errors', () => {
    expect(isUnreachable(new APIError('down', { status: 0 }))).toBe(true);
    expect(isUnreachable(new InvalidRequestError('local', { status: 0 }))).toBe(false);
    expect(isUnreachable(new APIError('boom', { status: 500 }))).toBe(false);
    expect(isNotFound(new APIError('gone', { status: 404 }))).toBe(true);
    expect(reportError(new APIError('down', { status: 0 }), { url: 'http://h' }).hint).toContain('http://h');
  });
});

describe('the job-file schema', () => {
  const runtime = new Ajv2020({ allErrors: true, strict: false }).compile(JOB_FILE_SCHEMA);

  it('is the published schema, compiled ahead of time (no drift)', async () => {
    const published = JSON.parse(
      await readFile(join(__dirname, '..', '..', 'schema', 'job-file.schema.json'), 'utf8'),
    );
    expect(JOB_FILE_SCHEMA).toEqual(published);
  });

  const job = fc.record(
    {
      name: fc.oneof(fc.string(), fc.integer()),
      product: fc.constantFrom('blender', 'c4d', 'hou', 'blendr', ''),
      appVersion: fc.oneof(fc.string(), fc.constant(4.2)),
      file: fc.string(),
      frames: fc.oneof(fc.string(), fc.integer()),
      instances: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), fc.string()),
      budget: fc.record(
        { value: fc.oneof(fc.double({ noNaN: true }), fc.string()), action: fc.constantFrom('stop', 'halt') },
        { requiredKeys: [] },
      ),
      rtEngine: fc.constantFrom(0, 2, 'cuda', 'x'),
      bogus: fc.anything(),
    },
    { requiredKeys: [] },
  );
  const file = fc.record(
    {
      name: fc.constantFrom('ok', 'a/b', '', 'x:y'),
      jobs: fc.oneof(fc.array(job, { maxLength: 3 }), fc.string()),
      autoDownload: fc.oneof(fc.boolean(), fc.string()),
      watchFiles: fc.array(fc.record({ pattern: fc.string(), folder: fc.string() }, { requiredKeys: [] })),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  );

  test.prop([file])('accepts exactly what ajv accepts from the published schema', (data) => {
    const problems = checkSchema(data);
    expect(problems.length === 0).toBe(runtime(data));
    for (const p of problems) expect(p.message).not.toBe('');
  });

  it('says what is wrong in words, with the path of the value', () => {
    const problems = checkSchema({
      jobs: [{ name: 'a', product: 'blender', appVersion: 4.2, file: 'f', frames: '1', outputPrefx: 'x' }],
    }).map((p) => `${p.path}: ${p.message}`);
    expect(problems).toContain('jobs[0].appVersion: must be string, not number');
    expect(problems).toContain('jobs[0].outputPrefx: is not a known property (did you mean "outputPrefix"?)');
    expect(checkSchema([]).map((p) => p.message)).toEqual(['must be object, not array']);
  });
});

describe('gm init paths and names', () => {
  it('writes job-file paths with forward slashes, on Windows too', async () => {
    const { win32, posix } = await import('node:path');
    const { relativePath } = await import('../commands/init/index.js');
    expect(relativePath('C:\\work', 'C:\\work\\shots\\scene.blend', win32)).toBe('shots/scene.blend');
    expect(relativePath('C:\\work\\jobs', 'C:\\work\\shots', win32)).toBe('../shots');
    expect(relativePath('C:\\work', 'D:\\shots', win32)).toBe('D:/shots');
    expect(relativePath('C:\\work', 'C:\\work', win32)).toBe('.');
    expect(relativePath('/home/me', '/home/me/shots/a.blend', posix)).toBe('shots/a.blend');
  });

  test.prop([fc.string({ maxLength: 300 })])('makes names the shared rules accept', async (text) => {
    const { safeName } = await import('../commands/init/index.js');
    const name = safeName(text);
    expect(name.length).toBeGreaterThan(0);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name).not.toMatch(/[\u0000-\u001f\u007f/\\<>:"|?*]/);
    expect(name).not.toMatch(/[. ]$/);
    expect(name).not.toMatch(/^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i);
    expect(['.', '..']).not.toContain(name);
  });
});
