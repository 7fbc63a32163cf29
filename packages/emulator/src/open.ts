import { spawn } from 'node:child_process';

/**
 * Opens a URL in the user's browser (`open` on macOS, `rundll32` on Windows, `xdg-open` elsewhere); resolves
 * whether the opener could be started. The URL is the emulator's own (`http://host:port/`), never user text.
 */
export function openBrowser(url: string): Promise<boolean> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}
