// bench/serve.mjs BUILD_DIR - the explorer's slider latency: the time from a
// slider change to the updated chart data, as the page sees it (POST
// /api/run on loopback, the whole JSON response received and parsed), for
// the flagship model. It drags the elasticity and the jump-size slider
// across their ranges one step at a time, one request after the other as
// the page does, and reports percentiles. Target: p95 under 50 ms.
// Then the same under load: 4 clients dragging at once.
//
// Settings: BENCH_SERVE_MOVES (slider moves per pass, default 400).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const build = process.argv[2];
if (!build) {
  console.error('usage: node bench/serve.mjs BUILD_DIR');
  process.exit(2);
}
const moves = Number(process.env.BENCH_SERVE_MOVES || 400);

function start() {
  return new Promise((ok, fail) => {
    const proc = spawn(resolve(build, 'overcap'), ['serve', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
      if (m) ok({ proc, base: `http://127.0.0.1:${m[1]}` });
    });
    proc.on('exit', (c) => fail(new Error(`overcap serve exited ${c}: ${err}`)));
  });
}

// One client dragging both sliders: elasticity 0.5 -> 1.8, jump 1 -> 1000x.
async function drag(base, n, offset = 0) {
  const times = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const f = ((i + offset) % n) / (n - 1);
    const body = JSON.stringify({
      scenario: 'jump-10x',
      set: { demand_price_elasticity: Number((0.5 + 1.3 * f).toFixed(3)), jump_1_factor: Number((10 ** (3 * f)).toPrecision(4)) },
    });
    const t = performance.now();
    const res = await fetch(base + '/api/run', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    const data = await res.json();
    times.push(performance.now() - t);
    if (res.status !== 200 || !data.series) throw new Error('bad answer: ' + JSON.stringify(data).slice(0, 200));
    bytes += JSON.stringify(data).length;
  }
  return { times, bytes };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

const server = await start();
try {
  await drag(server.base, 20); // warm-up
  const one = await drag(server.base, moves);
  const t1 = one.times.sort((a, b) => a - b);
  console.log(`serve: slider change -> chart data, 1 client, ${moves} moves: ` +
    `p50 ${pct(t1, 0.5).toFixed(2)} ms, p95 ${pct(t1, 0.95).toFixed(2)} ms, p99 ${pct(t1, 0.99).toFixed(2)} ms, ` +
    `max ${t1[t1.length - 1].toFixed(2)} ms; ${Math.round(one.bytes / moves / 1024)} KiB per answer ` +
    `(target p95 < 50 ms: ${pct(t1, 0.95) < 50 ? 'met' : 'NOT met'})`);
  const t0 = performance.now();
  const four = await Promise.all([0, 1, 2, 3].map((k) => drag(server.base, moves, k * 97)));
  const wall = (performance.now() - t0) / 1000;
  const t4 = four.flatMap((r) => r.times).sort((a, b) => a - b);
  console.log(`serve: 4 clients at once, ${4 * moves} moves in ${wall.toFixed(2)} s (${Math.round(4 * moves / wall)} runs/s): ` +
    `p50 ${pct(t4, 0.5).toFixed(2)} ms, p95 ${pct(t4, 0.95).toFixed(2)} ms, max ${t4[t4.length - 1].toFixed(2)} ms`);
} finally {
  server.proc.kill('SIGINT');
}
