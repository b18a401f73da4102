// What the browser and API tests share: starting `overcap serve`, asking its
// API, launching Debian's Chromium through playwright-core, and checks.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let failures = 0, checks = 0;

export function check(ok, what) {
  checks++;
  if (ok) {
    console.log(`ok   ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${what}`);
  }
}

export function finish(name) {
  console.log(`${name}: ${checks - failures} of ${checks} checks passed`);
  process.exit(failures || checks === 0 ? 1 : 0);
}

// Starts `overcap serve --port 0 ARGS`; resolves with {proc, base, port} once
// it prints its address.
export function startServer(binary, args = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, ['serve', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error('overcap serve did not start: ' + err)), 20000);
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
      if (m && !proc.started) {
        proc.started = true;
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), base: `http://127.0.0.1:${m[1]}`, log: () => err });
      }
    });
    proc.on('exit', (code) => {
      proc.exitCode_ = code;
      if (!proc.started) reject(new Error(`overcap serve exited with ${code}: ${err}`));
    });
  });
}

// Stops the server with a signal; resolves with its exit code.
export function stopServer(proc, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    const timer = setTimeout(() => { proc.kill('SIGKILL'); }, 10000);
    proc.on('exit', (code, sig) => { clearTimeout(timer); resolve(code === null ? sig : code); });
    proc.kill(signal);
  });
}

export async function post(base, path, body) {
  const res = await fetch(base + path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

// Headless Debian Chromium with a fresh profile, as the project's CI runs it.
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'overcap-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

// Collects console errors, page errors and failed requests of a page.
export function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
  page.on('pageerror', (e) => errors.push('page error: ' + e.message));
  page.on('requestfailed', (r) => errors.push('request failed: ' + r.url()));
  return errors;
}

export function artifactsDir() {
  const dir = process.env.OVERCAP_ARTIFACTS || join(process.cwd(), 'artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}
