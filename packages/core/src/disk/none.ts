/**
 * The `#disk` module for runtimes without Node's built-ins (browsers, plugin panels, workers; the `default`
 * export condition): no disk, no processes.
 */
import type { Disk, DiskPlatform } from './types.js';

/** No disk here: a project is given its file list (`Project.addFileList`). */
export const disk: Disk | undefined = undefined;

/** No processes to take turns with here: one runtime, one process (the in-process gate suffices). */
export const takeTurn: DiskPlatform['takeTurn'] = undefined;
