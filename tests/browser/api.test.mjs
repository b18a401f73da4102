// The JSON API of `overcap serve` under bad and heavy input: malformed JSON,
// unknown names, absurd sizes, hostile paths and hosts, stalled (slowloris)
// connections, 200 concurrent requests; the server must answer each with a
// clear error or the correct result, stay up, keep its memory bounded and
// stop cleanly on SIGTERM. Needs Node.js only (no browser).
//
// usage: node api.test.mjs PATH/TO/overcap
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { check, finish, post, startServer, stopServer } from './common.mjs';

const binary = process.argv[2];
if (!binary) {
  console.error('usage: node api.test.mjs PATH/TO/overcap');
  process.exit(2);
}

// Raw HTTP over a socket: what fetch will not send (bad hosts, odd paths).
function raw(port, text, { timeout = 10000 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { s.destroy(); resolve({ data, timedOut: true }); }, timeout);
    s.on('connect', () => s.write(text));
    s.on('data', (d) => { data += d; });
    s.on('close', () => { clearTimeout(timer); resolve({ data, timedOut: false }); });
    s.on('error', () => {});
  });
}

const status = (r) => Number((/^HTTP\/1\.[01] (\d+)/.exec(r.data) || [])[1]);
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

const server = await startServer(binary, ['--max-samples', '20000', '--jobs', '2']);
const { base, port } = server;
try {
  // --- the read-only endpoints
  const model = await (await fetch(base + '/api/model')).json();
  check(model.constants.length >= 40, `/api/model lists ${model.constants.length} constants with ranges`);
  check(model.constants.every((c) => c.min <= c.default && c.default <= c.max && c.doc.includes('Sources')),
    'every constant has a default inside its range and a doc citing sources');
  const sc = await (await fetch(base + '/api/scenarios')).json();
  check(['baseline', 'jump-2x', 'jump-10x', 'jump-100x'].every((n) => sc.scenarios.some((s) => s.name === n)),
    '/api/scenarios lists the essay\'s presets');

  // --- bad requests: each a 4xx with a message that says what is wrong
  const bad = [
    ['malformed JSON', '/api/run', '{"scenario": "jump-10x", "set": {', 400, /line 1, column \d+/],
    ['a JSON array', '/api/run', '[1,2]', 400, /expected a JSON object/],
    ['an unknown key', '/api/run', { scenario: 'baseline', sett: {} }, 400, /unknown key 'sett'/],
    ['an unknown parameter', '/api/run', { set: { warp_drive: 1 } }, 400, /no constant 'warp_drive'/],
    ['a variable that is not a constant', '/api/run', { set: { compute_capacity: 1 } }, 400, /not a constant/],
    ['a value outside its range', '/api/run', { set: { demand_price_elasticity: 50 } }, 400, /outside the plausible range/],
    ['a string for a number', '/api/run', { set: { demand_price_elasticity: 'high' } }, 400, /set\.demand_price_elasticity: expected a number/],
    ['a path as the scenario', '/api/run', { scenario: '../../etc/passwd' }, 400, /not a preset name/],
    ['an unknown preset', '/api/run', { scenario: 'jump-1000x' }, 400, /no scenario 'jump-1000x'/],
    ['a bad scenario object', '/api/run', { scenario: { jumps: [{ year: 2027, factor: 0.5 }] } }, 400, /jumps/],
    ['an unknown series', '/api/run', { vars: ['nonsense'] }, 400, /vars\[0\]: the model has no variable 'nonsense'/],
    ['10^12 Monte Carlo runs', '/api/mc', { samples: 1e12 }, 413, /1000000000000 is more than this server runs/],
    ['a negative sample count', '/api/mc', { samples: -5 }, 400, /samples: expected a whole number/],
    ['a fractional sample count', '/api/mc', { samples: 2.5 }, 400, /samples: expected a whole number/],
    ['a spec that is not an object', '/api/mc', { spec: 'uncertainty/ai_compute.json' }, 400, /spec: expected an object/],
    ['a spec naming a model file', '/api/mc', { spec: { model: '/etc/passwd', parameters: { hardware_life_years: { dist: 'uniform', min: 3, max: 7 } } } }, 400, /spec\.model: the server runs its own model/],
    ['a spec with an unknown constant', '/api/mc', { spec: { parameters: { warp: { dist: 'uniform', min: 0, max: 1 } } } }, 400, /parameters\.warp/],
    ['a spec asking for too many futures', '/api/mc', { spec: { samples: 1000000, parameters: { hardware_life_years: { dist: 'uniform', min: 3, max: 7 } } } }, 413, /spec\.samples: 1000000 is more than/],
    ['an unknown band variable', '/api/mc', { samples: 10, bands: ['nonsense'] }, 400, /bands\[0\]: the model has no 'nonsense'/],
    ['bands that are not a list', '/api/mc', { samples: 10, bands: 'utilization' }, 400, /bands: expected a list/],
    ['too many band values', '/api/mc', { samples: 20000, bands: Array(32).fill('utilization'), scenario: { specs: { stop: 2100 } } }, 413, /more band values than this server keeps/],
    ['a huge max_factor', '/api/critical', { max_factor: 1e300 }, 413, /max_factor/],
    ['a jump year outside the run', '/api/critical', { year: 1900 }, 400, /year: 1900 is outside/],
  ];
  for (const [what, path, body, code, re] of bad) {
    const r = await post(base, path, body);
    check(r.status === code && re.test(r.json.error || ''), `${what}: ${r.status} "${r.json.error}"`);
  }
  // --- a spec and band variables of the request's own
  const own = await post(base, '/api/mc', {
    samples: 256, seed: 3, bands: ['compute_price', 'utilization'],
    spec: { name: 'mine', sampling: 'lhs', parameters: { hardware_life_years: { dist: 'uniform', min: 3, max: 7 } } },
  });
  check(own.status === 200 && own.json.spec === 'mine' && own.json.sampling === 'lhs' && own.json.samples === 256,
    `/api/mc with its own spec: ${own.status} spec ${own.json.spec}, sampling ${own.json.sampling}, ${own.json.samples} futures`);
  const ownBands = Object.keys(own.json.bands || {});
  check(ownBands.join() === 'compute_price,utilization' && own.json.bands.utilization.p5.every((x, i) => x <= own.json.bands.utilization.p95[i]),
    `/api/mc bands of the requested variables, p5 <= p95: ${ownBands.join()}`);
  const wide = await post(base, '/api/mc', { samples: 256, seed: 3, spec: { parameters: { hardware_life_years: { dist: 'uniform', min: 3, max: 7 } } } });
  const narrow = await post(base, '/api/mc', { samples: 256, seed: 3, spec: { parameters: { hardware_life_years: { dist: 'uniform', min: 4.9, max: 5.1 } } } });
  const spread = (r) => { const u = r.json.bands.utilization; const t = u.time.length - 1; return u.p95[t] - u.p5[t]; };
  check(wide.status === 200 && narrow.status === 200 && spread(wide) > spread(narrow),
    `a wider range of hardware life spreads the utilization band wider (${spread(wide).toFixed(3)} > ${spread(narrow).toFixed(3)})`);
  const specSamples = await post(base, '/api/mc', { spec: { samples: 128, parameters: { hardware_life_years: { dist: 'uniform', min: 3, max: 7 } } } });
  check(specSamples.status === 200 && specSamples.json.samples === 128, `the spec's samples apply when the request has none: ${specSamples.json.samples}`);

  const big = await fetch(base + '/api/run', { method: 'POST', body: 'x'.repeat(200000) });
  check(big.status === 413, `a 200 KB body: ${big.status}`);
  const get = await fetch(base + '/api/run');
  check(get.status === 405, `GET /api/run: ${get.status}`);
  const none = await fetch(base + '/api/nothing');
  check(none.status === 404 && /no endpoint/.test((await none.json()).error), 'an unknown endpoint: 404');
  const evil = await raw(port, 'GET /api/model HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n');
  check(status(evil) === 403, `a foreign Host header (DNS rebinding): ${status(evil)}`);
  const trav = await raw(port, 'GET /../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  check(status(trav) === 404 && !trav.data.includes('root:'), `a path outside the page: ${status(trav)}`);
  const garbage = await raw(port, 'NOT HTTP AT ALL\r\n\r\n');
  check(garbage.timedOut === false, 'garbage instead of HTTP: answered or closed');
  const hugeHeader = await raw(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(100000)}\r\nConnection: close\r\n\r\n`);
  check(status(hugeHeader) >= 400 || hugeHeader.data === '', `a 100 KB header: ${status(hugeHeader) || 'closed'}`);

  // --- slowloris: 50 connections that send half a request and stall, on a
  // second server with a short idle timeout
  const slow = await startServer(binary, ['--timeout', '2']);
  const stalled = [];
  const t0 = Date.now();
  for (let i = 0; i < 50; i++)
    stalled.push(raw(slow.port, 'POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"sce', { timeout: 15000 }));
  await new Promise((r) => setTimeout(r, 200));
  const tq = Date.now();
  const during = await post(slow.base, '/api/run', { scenario: 'jump-100x' });
  const duringMs = Date.now() - tq;
  check(during.status === 200 && during.json.outcome === 'bubble', `with 50 stalled connections a request is answered in ${duringMs} ms`);
  const closed = await Promise.all(stalled);
  const waited = (Date.now() - t0) / 1000;
  check(closed.every((c) => !c.timedOut), `the server closed all 50 stalled connections (within ${waited.toFixed(1)} s; --timeout 2)`);
  // a body trickled a byte at a time, each within the idle timeout: the
  // connection is cut once the body has taken 3 x --timeout
  const trickled = await new Promise((resolve) => {
    const sock = net.connect(slow.port, '127.0.0.1');
    const started = Date.now();
    let timer = null;
    const done = (how) => { clearInterval(timer); sock.destroy(); resolve({ how, seconds: (Date.now() - started) / 1000 }); };
    sock.on('connect', () => {
      sock.write('POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n');
      timer = setInterval(() => sock.write(' '), 500);
    });
    sock.on('close', () => done('closed'));
    sock.on('error', () => {});
    setTimeout(() => done('still open'), 15000);
  });
  check(trickled.how === 'closed' && trickled.seconds >= 5.5 && trickled.seconds < 9,
    `a body trickled a byte every 0.5 s is cut after ${trickled.seconds.toFixed(1)} s (${trickled.how}; 3 x --timeout 2)`);
  check(await stopServer(slow.proc) === 0, 'the second server stops cleanly');

  // --- 200 concurrent requests: each the same bytes as when asked alone
  const settings = Array.from({ length: 10 }, (_, k) => ({ scenario: 'jump-10x', set: { jump_1_factor: 5 + 5 * k, demand_price_elasticity: 0.6 + 0.1 * k } }));
  const expected = [];
  for (const s of settings) expected.push(await (await fetch(base + '/api/run', { method: 'POST', body: JSON.stringify(s) })).text());
  const rss0 = rssKiB(server.proc.pid);
  let wrong = 0, busy = 0, mcOk = 0, maxRss = rss0, latencies = [];
  const mcBody = JSON.stringify({ scenario: 'jump-10x', samples: 500, seed: 7 });
  const mcAlone = await (await fetch(base + '/api/mc', { method: 'POST', body: mcBody })).text();
  for (let round = 0; round < 5; round++) {
    const tasks = [];
    for (let i = 0; i < 200; i++) {
      if (i % 20 === 19) {
        tasks.push(fetch(base + '/api/mc', { method: 'POST', body: mcBody }).then(async (r) => {
          const text = await r.text();
          if (r.status === 503 && r.headers.get('retry-after')) busy++;
          else if (r.status === 200 && text === mcAlone) mcOk++;
          else wrong++;
        }));
        continue;
      }
      const k = i % settings.length, t = performance.now();
      tasks.push(fetch(base + '/api/run', { method: 'POST', body: JSON.stringify(settings[k]) }).then(async (r) => {
        const text = await r.text();
        latencies.push(performance.now() - t);
        if (r.status !== 200 || text !== expected[k]) wrong++;
      }));
    }
    const tr = performance.now();
    await Promise.all(tasks);
    if (round === 0) console.log(`     200 concurrent requests in ${Math.round(performance.now() - tr)} ms`);
    maxRss = Math.max(maxRss, rssKiB(server.proc.pid));
  }
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
  console.log(`     /api/run under 200-way concurrency: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`);
  check(wrong === 0, `1000 concurrent requests: every answer correct or a clear 503 (${wrong} wrong; ${mcOk} Monte Carlo answered, ${busy} told to retry)`);
  check(mcOk > 0, 'some Monte Carlo requests ran under load, with the same bytes as alone');
  const rss1 = rssKiB(server.proc.pid);
  console.log(`     server memory: ${(rss0 / 1024).toFixed(1)} MiB before, peak ${(maxRss / 1024).toFixed(1)} MiB, ${(rss1 / 1024).toFixed(1)} MiB after`);
  check(maxRss - rss0 < 200 * 1024, `memory stays bounded under load (+${((maxRss - rss0) / 1024).toFixed(1)} MiB at peak)`);

  // --- still up, and the same answer as at the start
  const again = await (await fetch(base + '/api/run', { method: 'POST', body: JSON.stringify(settings[3]) })).text();
  check(again === expected[3], 'the server is up and answers as before');

  // --- SIGTERM while a Monte Carlo runs: it ends early, the server exits 0
  const longMc = fetch(base + '/api/mc', { method: 'POST', body: JSON.stringify({ samples: 20000 }) })
    .then((r) => r.status).catch(() => 'closed');
  await new Promise((r) => setTimeout(r, 150));
  const ts = Date.now();
  const code = await stopServer(server.proc, 'SIGTERM');
  const mcStatus = await longMc;
  check(code === 0 && Date.now() - ts < 5000, `SIGTERM during a Monte Carlo: exit ${code} in ${Date.now() - ts} ms (the job answered ${mcStatus})`);
  check(/stopped after \d+ requests/.test(server.log()), 'the server says it stopped');
} catch (e) {
  check(false, 'unexpected: ' + (e.stack || e));
  console.log('server stderr:\n' + server.log().slice(-4000));
  await stopServer(server.proc, 'SIGKILL');
}
finish('api');
