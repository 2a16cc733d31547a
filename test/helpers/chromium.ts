// Headless Chromium (Debian's `chromium`) driven through the Chrome DevTools Protocol over
// --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON): no WebSocket, no npm browser
// package. Loads a page with a given viewport and colour scheme, records console errors,
// exceptions, log errors (CSP violations land there) and every network request, returns the
// page text and a PNG screenshot, and can print to PDF. The browser is killed by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = process.env.SSHIELD_TEST_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export interface PageLoad {
  readonly text: string;
  readonly png: Buffer;
  readonly consoleErrors: readonly string[];
  readonly requests: readonly string[];
  /** Values of `expression`s evaluated after load. */
  readonly values: readonly unknown[];
}

interface Pending {
  resolve(v: Record<string, unknown>): void;
  reject(e: Error): void;
}

export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((m: { method: string; params: Record<string, unknown>; sessionId?: string }) => void)[] = [];
  private buffer = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const out = child.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (d: string) => {
      this.buffer += d;
      let i: number;
      while ((i = this.buffer.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, i)) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
        this.buffer = this.buffer.slice(i + 1);
        if (msg.id !== undefined) {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) p?.reject(new Error(msg.error.message));
          else p?.resolve(msg.result ?? {});
        } else if (msg.method) {
          for (const l of this.listeners) l({ method: msg.method, params: msg.params ?? {}, ...(msg.sessionId ? { sessionId: msg.sessionId } : {}) });
        }
      }
    });
    child.once('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('chromium exited'));
      this.pending.clear();
    });
  }

  static async launch(): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), 'sshield-chromium-'));
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      '--remote-debugging-pipe',
      'about:blank',
    ];
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const b = new Browser(child, profile);
    await b.send('Browser.getVersion', {}, undefined, 30_000);
    return b;
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const input = this.child.stdio[3] as Writable;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`CDP ${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /**
   * Opens `url` in a new tab of width x height CSS pixels with the given colour scheme (or print
   * media), waits for the load event, and screenshots the whole page (at most maxHeight pixels).
   */
  async load(url: string, opts: { width: number; height: number; mobile?: boolean; scheme?: 'light' | 'dark'; media?: 'screen' | 'print'; expressions?: readonly string[]; maxHeight?: number }): Promise<PageLoad> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    let loaded!: () => void;
    const loadedP = new Promise<void>((r) => (loaded = r));
    const listener = (m: { method: string; params: Record<string, unknown>; sessionId?: string }) => {
      if (m.sessionId !== sessionId) return;
      const p = m.params as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) consoleErrors.push(`console.${p.type}: ${JSON.stringify(p.args)}`);
      else if (m.method === 'Runtime.exceptionThrown') consoleErrors.push(`exception: ${JSON.stringify(p.exceptionDetails)}`);
      else if (m.method === 'Log.entryAdded' && (p.entry as { level: string }).level === 'error') consoleErrors.push(`log: ${(p.entry as { text: string }).text}`);
      else if (m.method === 'Network.requestWillBeSent') requests.push((p.request as { url: string }).url);
      else if (m.method === 'Page.loadEventFired') loaded();
    };
    this.listeners.push(listener);
    try {
      for (const d of ['Page.enable', 'Runtime.enable', 'Log.enable', 'Network.enable']) await this.send(d, {}, sessionId);
      await this.send('Emulation.setDeviceMetricsOverride', { width: opts.width, height: opts.height, deviceScaleFactor: 1, mobile: opts.mobile ?? false }, sessionId);
      await this.send('Emulation.setEmulatedMedia', { media: opts.media ?? 'screen', features: [{ name: 'prefers-color-scheme', value: opts.scheme ?? 'light' }] }, sessionId);
      const nav = (await this.send('Page.navigate', { url }, sessionId)) as { errorText?: string };
      if (nav.errorText) throw new Error(`navigate ${url}: ${nav.errorText}`);
      await Promise.race([loadedP, new Promise((_, rej) => setTimeout(() => rej(new Error('no load event within 30 s')), 30_000))]);
      const evalValue = async (expression: string) => ((await this.send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)) as { result: { value: unknown } }).result.value;
      const text = (await evalValue('document.body.innerText')) as string;
      const values: unknown[] = [];
      for (const e of opts.expressions ?? []) values.push(await evalValue(e));
      const metrics = (await this.send('Page.getLayoutMetrics', {}, sessionId)) as { cssContentSize: { width: number; height: number } };
      const height = Math.min(Math.ceil(metrics.cssContentSize.height), opts.maxHeight ?? 8000);
      const shot = (await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: opts.width, height, scale: 1 } }, sessionId, 60_000)) as { data: string };
      return { text, png: Buffer.from(shot.data, 'base64'), consoleErrors, requests, values };
    } finally {
      this.listeners.splice(this.listeners.indexOf(listener), 1);
      await this.send('Target.closeTarget', { targetId }).catch(() => undefined);
    }
  }

  /** Prints `url` to PDF (print media), returning the PDF bytes. */
  async pdf(url: string): Promise<Buffer> {
    const { targetId } = (await this.send('Target.createTarget', { url })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    try {
      // createTarget returns once the document is committed; wait for it to be complete.
      for (let i = 0; i < 100; i++) {
        const r = (await this.send('Runtime.evaluate', { expression: 'document.readyState', returnByValue: true }, sessionId)) as { result: { value: string } };
        if (r.result.value === 'complete') break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const r = (await this.send('Page.printToPDF', { printBackground: false, preferCSSPageSize: true }, sessionId, 60_000)) as { data: string };
      return Buffer.from(r.data, 'base64');
    } finally {
      await this.send('Target.closeTarget', { targetId }).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((r) => (this.child.exitCode !== null || this.child.signalCode !== null ? r() : this.child.once('exit', () => r())));
    await this.send('Browser.close', {}, undefined, 5000).catch(() => undefined);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}
