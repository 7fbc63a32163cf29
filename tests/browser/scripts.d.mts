/** Types of scripts.mjs: the page's scripts as a web tool would ship them. */
import type { Metafile } from 'esbuild';

/** The file that holds re2js alone, which the page's import map names. */
export declare const RE2JS_FILE: string;
/** Bytes of `text` (minified already) gzipped at zlib's default level. */
export declare function gzipBytes(text: string | Uint8Array): number;
/** The page's scripts (file name → text) and esbuild's account of the page's bundle. */
export declare function pageScripts(): Promise<{ scripts: Map<string, string>; metafile: Metafile }>;
/** The files a script imports statically, not by `import()`. */
export declare function staticImports(text: string): string[];
/** `page.js` and every chunk it loads before it runs. */
export declare function upFront(scripts: Map<string, string>): string[];
/** A module bundled whole for the browser; `inputs`: the files in it with their minified bytes. */
export declare function bundle(
  contents: string,
  external?: string[],
): Promise<{ text: string; inputs: { path: string; bytes: number }[] }>;
