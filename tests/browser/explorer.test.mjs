// End-to-end test of the explorer: `overcap serve` + the page in headless
// Chromium. Moves the jump-size and elasticity sliders and checks that the
// verdict and the charts follow the model (the API's answer for the same
// settings), reloads a shared link, downloads the scenario and re-runs it on
// the command line, and saves screenshots.
//
// usage: node explorer.test.mjs PATH/TO/overcap
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir, check, finish, launchChromium, post, startServer, stopServer, watchErrors,
} from './common.mjs';

const binary = process.argv[2];
if (!binary) {
  console.error('usage: node explorer.test.mjs PATH/TO/overcap');
  process.exit(2);
}
const shots = artifactsDir();
const server = await startServer(binary);
const browser = await launchChromium();

// The page's state once its last run has rendered: outcome, verdict, the
// current capacity curve, and the settings it ran with.
async function pageState(page) {
  return page.evaluate(() => ({
    outcome: document.getElementById('verdict-box').dataset.outcome,
    verdict: document.getElementById('verdict').textContent,
    capacity: document.querySelector('#chart-capacity path[data-series="current:compute_capacity"]')?.getAttribute('d'),
    demand: document.querySelector('#chart-capacity path[data-series="current:compute_demand"]')?.getAttribute('d'),
    bands: [...document.querySelectorAll('#chart-capacity rect[data-state]')].map((r) => r.dataset.state).join(''),
    state: document.body.dataset.state,
    runs: Number(document.body.dataset.runs || 0),
  }));
}

// Moves a slider and waits for the run it triggers to be drawn.
async function moveSlider(page, name, value) {
  const before = (await pageState(page)).runs;
  await page.locator(`input[name="${name}"]`).fill(String(value));
  await page.waitForFunction((n) => Number(document.body.dataset.runs) > n && document.body.dataset.state.includes('"set"'), before);
  // a run may have been queued behind another: wait for the page to settle
  await page.waitForFunction(() => !document.getElementById('status').textContent.startsWith('running'));
  await page.waitForTimeout(300);
  return pageState(page);
}

// The API's verdict for the settings the page says it ran with.
async function apiFor(state) {
  const r = await post(server.base, '/api/run', JSON.parse(state));
  return r.json;
}

let exitCode = 0;
try {
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.base}/?scenario=jump-10x`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  let s0 = await pageState(page);
  const a0 = await apiFor(s0.state);
  check(s0.outcome === 'normal cycle' && a0.outcome === 'normal cycle', `jump-10x preset: page says '${s0.outcome}', API says '${a0.outcome}' (expected normal cycle)`);
  check(s0.verdict.toLowerCase().startsWith(a0.verdict.toLowerCase()), 'the verdict sentence is the API\'s');
  check(s0.capacity && s0.capacity.length > 100, 'the capacity chart has a current curve');
  const tip = await page.locator('input[name="jump_1_factor"]').getAttribute('title');
  check(tip.includes('Sources') && tip.includes('range 1 to 1000'), 'the jump slider\'s tooltip gives its range and sources');
  await page.screenshot({ path: join(shots, 'explorer-1-jump-10x.png'), fullPage: true });

  // The jump-size slider (log scale): 10^1.45 = 28.2x is above F* at the
  // default elasticity (27.6x): the page must now show a bubble.
  const s1 = await moveSlider(page, 'jump_1_factor', 1.45);
  const a1 = await apiFor(s1.state);
  check(JSON.parse(s1.state).set.jump_1_factor === 28.18, `the jump slider set jump_1_factor = 28.18 (page ran ${s1.state})`);
  check(a1.outcome === 'bubble' && s1.outcome === 'bubble', `jump 28.2x: API says '${a1.outcome}', page says '${s1.outcome}' (expected bubble)`);
  check(s1.verdict.toLowerCase().startsWith(a1.verdict.toLowerCase()), 'the page\'s verdict is the API\'s for the same settings');
  check(s1.capacity !== s0.capacity, 'the capacity curve changed with the jump');
  check(s1.bands.includes('3') && !s0.bands.includes('3'), 'a bubble band appeared on the chart');
  await page.screenshot({ path: join(shots, 'explorer-2-jump-28x.png'), fullPage: true });

  // The elasticity slider to its maximum, 1.8: stronger Jevons demand
  // lifts F* to about 29x, so the same jump is a normal cycle again.
  const s2 = await moveSlider(page, 'demand_price_elasticity', 1.8);
  const a2 = await apiFor(s2.state);
  check(JSON.parse(s2.state).set.demand_price_elasticity === 1.8, 'the elasticity slider set 1.8');
  check(a2.outcome === 'normal cycle' && s2.outcome === 'normal cycle', `elasticity 1.8: API says '${a2.outcome}', page says '${s2.outcome}' (expected normal cycle)`);
  check(s2.verdict.toLowerCase().startsWith(a2.verdict.toLowerCase()), 'the page\'s verdict follows the API again');
  check(s2.demand !== s1.demand, 'the demand curve changed with the elasticity');
  check(!s2.bands.includes('3'), 'the bubble band is gone');
  const crit = await post(server.base, '/api/critical', { ...JSON.parse(s2.state), year: 2027 });
  check(crit.json.critical_factor > 28.18, `F* at elasticity 1.8 is ${crit.json.critical_factor?.toFixed(2)}x, above the 28.2x jump`);
  await page.screenshot({ path: join(shots, 'explorer-3-elasticity-1.8.png'), fullPage: true });

  // A saved "my baseline" and Monte Carlo bands on request.
  await page.click('#save-mine');
  await page.waitForSelector('#chart-capacity path[data-series="mine:compute_capacity"]');
  check(true, 'my baseline is drawn');
  await page.click('#run-mc');
  await page.waitForSelector('#chart-mc:not([hidden]) path[data-series="p_bubble"]', { timeout: 60000 });
  const mcTitle = await page.locator('#chart-mc .title').textContent();
  check(/^P\(bubble by 2040\) = \d+\.\d% over 2000 futures$/.test(mcTitle), `Monte Carlo chart: "${mcTitle}"`);
  check(await page.locator('#chart-capacity path.fan-outer').count() === 2, 'fan bands on the capacity chart');
  await page.screenshot({ path: join(shots, 'explorer-4-monte-carlo.png'), fullPage: true });

  // A shared link reproduces the view (MC bands included).
  const s2mc = await pageState(page);
  const url = page.url();
  check(url.includes('jump_1_factor=28.18') && url.includes('demand_price_elasticity=1.8') && url.includes('mc=1') && url.includes('mine='), `the URL holds the state: ${url}`);
  const page2 = await browser.context.newPage();
  const errors2 = watchErrors(page2);
  await page2.goto(url);
  await page2.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
  const s3 = await pageState(page2);
  check(s3.verdict === s2mc.verdict && s3.capacity === s2mc.capacity && s3.demand === s2mc.demand, 'the shared link shows the same verdict and curves');
  const v3 = await page2.locator('input[name="demand_price_elasticity"]').inputValue();
  check(Number(v3) === 1.8, `the shared link puts the elasticity slider at 1.8 (${v3})`);
  check(await page2.locator('#chart-capacity path[data-series="mine:compute_capacity"]').count() === 1, 'the shared link keeps my baseline');
  check(await page2.locator('#chart-mc:not([hidden])').count() === 1, 'the shared link re-runs the Monte Carlo');
  await page2.screenshot({ path: join(shots, 'explorer-5-shared-link.png'), fullPage: true });

  // The scenario download is a file the command line reads to the same verdict.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  const file = join(shots, 'explorer-scenario.json');
  await dl.saveAs(file);
  const sc = JSON.parse(readFileSync(file, 'utf8'));
  check(sc.set.jump_1_factor === 28.18 && sc.set.demand_price_elasticity === 1.8, 'the downloaded scenario holds the slider values');
  let cli = '';
  try {
    cli = execFileSync(binary, ['diagnose', '--scenario', file], { encoding: 'utf8' });
  } catch (e) {
    cli = String(e.stdout || e.message);
  }
  check(cli.replace(/\s+/g, ' ').includes(a2.verdict), 'overcap diagnose --scenario DOWNLOADED.json gives the page\'s verdict');
  const [dl2] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
  const csvFile = join(shots, 'explorer-series.csv');
  await dl2.saveAs(csvFile);
  const csv = readFileSync(csvFile, 'utf8').trim().split('\n');
  check(csv[0].startsWith('time,state,compute_capacity') && csv.length === a2.time.length + 1, `the CSV has a header and ${a2.time.length} rows`);

  check(errors.length === 0 && errors2.length === 0, `no console errors (${[...errors, ...errors2].join('; ') || 'none'})`);
} catch (e) {
  console.log('FAIL ' + (e.stack || e));
  exitCode = 1;
} finally {
  await browser.close();
  const code = await stopServer(server.proc, 'SIGINT');
  check(code === 0, `overcap serve exits 0 on SIGINT (${code})`);
}
if (exitCode) process.exit(exitCode);
finish('explorer');
