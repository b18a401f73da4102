// The HTML report in headless Chromium: `overcap report` writes it, the
// browser opens it from disk with the network blocked, and nothing may go
// wrong: no console error, no request leaving the file, every chart drawn.
//
// usage: node report.test.mjs PATH/TO/overcap
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { artifactsDir, check, finish, launchChromium, watchErrors } from './common.mjs';

const binary = process.argv[2];
if (!binary) {
  console.error('usage: node report.test.mjs PATH/TO/overcap');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'overcap-report-'));
const file = join(dir, 'report.html');
execFileSync(binary, ['report', '--mc', 'built-in', '--mc-samples', '2000', '-o', file]);
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  const requests = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (!url.startsWith('file:')) requests.push(url);
    return url.startsWith('file:') ? route.continue() : route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForLoadState('load');
  const info = await page.evaluate(() => ({
    title: document.title,
    figures: document.querySelectorAll('figure svg').length,
    drawn: [...document.querySelectorAll('figure svg')].every((s) => s.getBoundingClientRect().width > 100),
    paths: document.querySelectorAll('figure svg path, figure svg polyline').length,
    text: document.body.innerText,
  }));
  check(info.figures >= 12, `the report has ${info.figures} charts`);
  check(info.drawn && info.paths > 10, `every chart is laid out and drawn (${info.paths} paths)`);
  check(/bubble/i.test(info.text) && info.text.includes('overcap report'), 'the verdicts and the command to reproduce are on the page');
  check(requests.length === 0, `no request leaves the file (${requests.join(', ') || 'none'})`);
  check(errors.length === 0, `no console errors (${errors.join('; ') || 'none'})`);
  await page.screenshot({ path: join(artifactsDir(), 'report.png'), fullPage: true });
} catch (e) {
  check(false, 'unexpected: ' + (e.stack || e));
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
finish('report');
