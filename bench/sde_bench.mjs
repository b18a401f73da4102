// sde_bench.mjs - times SDEverywhere's JavaScript target on one XMILE model.
//
//   node bench/sde_bench.mjs MODEL.xmile [--min-seconds S] [--output NAME]
//                            [--js-out FILE] [--name NAME]
//
// The counterpart of bench/bench_engine.c: it compiles the model with
// @sdeverywhere/compile (XMILE in, JavaScript out), loads the generated module
// into @sdeverywhere/runtime's synchronous model runner, runs it once to warm
// up the JIT, then runs it again and again for at least S seconds (default 1)
// and prints one line:
//
//   engine=sde-js model=NAME stocks=N vars=V steps=K runs=R seconds=T
//   stock_steps_per_sec=X var_updates_per_sec=Y compile_seconds=C
//   load_seconds=L output=VAR final=Z
//
// (all on one line). Only one variable is saved (the first stock, or
// --output), like bench_engine, so the timing is of the simulation and not
// of storing results. `final` is that variable at the last save point, so a
// reader can check that both engines computed the same thing.
//
// On any failure it prints `engine=sde-js model=NAME error=REASON` (the
// reason on one line) and exits with status 1, so bench/run.sh can report it
// and go on with the next model.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

import { generateCode, parseModel } from '@sdeverywhere/compile'
import { createSynchronousModelRunner } from '@sdeverywhere/runtime'

function usage() {
  return (
    'usage: node sde_bench.mjs MODEL.xmile [--min-seconds S] [--output NAME]\n' +
    '                          [--js-out FILE] [--name NAME]\n'
  )
}

function parseArgs(argv) {
  const opts = { model: undefined, minSeconds: 1, output: undefined, jsOut: undefined, name: undefined }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const needValue = () => {
      if (i + 1 >= argv.length) {
        throw new Error(`${arg} needs a value`)
      }
      return argv[++i]
    }
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(usage())
      process.exit(0)
    } else if (arg === '--min-seconds') {
      const s = Number(needValue())
      if (!Number.isFinite(s) || s < 0) {
        throw new Error('--min-seconds needs a number >= 0')
      }
      opts.minSeconds = s
    } else if (arg === '--output') {
      opts.output = needValue()
    } else if (arg === '--js-out') {
      opts.jsOut = needValue()
    } else if (arg === '--name') {
      opts.name = needValue()
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}`)
    } else if (opts.model === undefined) {
      opts.model = arg
    } else {
      throw new Error(`unexpected argument ${arg}`)
    }
  }
  if (opts.model === undefined) {
    throw new Error('missing model file')
  }
  return opts
}

// Seconds since an arbitrary point, from a monotonic clock.
function now() {
  return Number(process.hrtime.bigint()) / 1e9
}

// Counts what the XMILE parser produced: every equation is one model variable
// (named graphical functions included, as overcap lists them); the stocks are
// the ones the parser turned into INTEG calls.
function countVariables(parsed) {
  let stocks = 0
  let firstStock
  const eqns = parsed.root.equations
  for (const eqn of eqns) {
    const expr = eqn.rhs?.kind === 'expr' ? eqn.rhs.expr : undefined
    if (expr?.kind === 'function-call' && expr.fnId === '_INTEG') {
      stocks++
      if (firstStock === undefined) {
        firstStock = eqn.lhs.varDef.varName
      }
    }
  }
  return { stocks, vars: eqns.length, firstStock, firstVar: eqns[0]?.lhs.varDef.varName }
}

async function main() {
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (e) {
    process.stderr.write(`sde_bench: ${e.message}\n${usage()}`)
    process.exit(2)
  }

  const modelPath = resolve(opts.model)
  const name = opts.name ?? basename(modelPath, extname(modelPath))
  let tempDir

  try {
    const xml = readFileSync(modelPath, 'utf8')

    // Compile: XMILE text -> parse tree -> JavaScript source. This is what
    // `sde generate --genjs` does, minus the file juggling.
    const compileStart = now()
    const parsed = parseModel(xml, 'xmile', dirname(modelPath))
    const counts = countVariables(parsed)
    const output = opts.output ?? counts.firstStock ?? counts.firstVar
    if (output === undefined) {
      throw new Error('the model has no variables')
    }
    const spec = { outputVarNames: [output] }
    const code = generateCode(parsed, {
      spec,
      operations: ['generateJS'],
      extData: new Map(),
      directData: new Map(),
      modelDirname: dirname(modelPath)
    })
    const compileSeconds = now() - compileStart

    // Load: the generated code is an ES module; Node has to read it from a
    // file (a data: URL works too, but not for tens of megabytes).
    let jsPath = opts.jsOut
    if (jsPath === undefined) {
      tempDir = mkdtempSync(join(tmpdir(), 'sde-bench-'))
      jsPath = join(tempDir, `${name}.js`)
    }
    writeFileSync(jsPath, code)
    const loadStart = now()
    const module = await import(pathToFileURL(resolve(jsPath)).href)
    const generated = await module.default()
    const runner = createSynchronousModelRunner(generated)
    const outputs = runner.createOutputs()
    const loadSeconds = now() - loadStart

    const steps = Math.round((generated.getFinalTime() - generated.getInitialTime()) / generated.getTimeStep())

    // One run to warm up (and to be sure the model runs at all), then time.
    runner.runModelSync([], outputs)
    let runs = 0
    const start = now()
    let elapsed = 0
    do {
      runner.runModelSync([], outputs)
      runs++
      elapsed = now() - start
    } while (elapsed < opts.minSeconds)

    const series = outputs.varSeries[0]
    const last = series.points[series.points.length - 1]
    if (!Number.isFinite(last?.y)) {
      throw new Error(`${output} is not finite at the end of the run`)
    }

    const fields = [
      'engine=sde-js',
      `model=${name}`,
      `stocks=${counts.stocks}`,
      `vars=${counts.vars}`,
      `steps=${steps}`,
      `runs=${runs}`,
      `seconds=${elapsed.toFixed(6)}`,
      `stock_steps_per_sec=${((counts.stocks * steps * runs) / elapsed).toPrecision(6)}`,
      `var_updates_per_sec=${((counts.vars * steps * runs) / elapsed).toPrecision(6)}`,
      `compile_seconds=${compileSeconds.toFixed(6)}`,
      `load_seconds=${loadSeconds.toFixed(6)}`,
      `output=${output.replace(/\s+/g, '_')}`,
      `final=${last.y}`
    ]
    process.stdout.write(fields.join(' ') + '\n')
  } catch (e) {
    // SDE's messages can run to many lines of JSON; the first line says it,
    // or the first two when the first only announces the second.
    const lines = String(e?.message ?? e)
      .split('\n')
      .map(s => s.trim())
      .filter(s => s.length > 0)
    let reason = lines[0]
    if (reason?.endsWith(':') && lines.length > 1) {
      reason = `${reason} ${lines[1]}`
    }
    process.stdout.write(`engine=sde-js model=${name} error=${reason ?? 'unknown error'}\n`)
    process.exitCode = 1
  } finally {
    if (tempDir !== undefined) {
      rmSync(tempDir, { recursive: true, force: true })
    }
  }
}

await main()
