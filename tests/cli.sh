#!/bin/sh
# cli.sh OVERCAP DATA_DIR - the command line: help, exit codes, options,
# atomic output, determinism. Prints "N passed, N failed" last.
set -u
OC=$1
DATA=$2
. "$(dirname "$0")/lib.sh"

expect 0 "--help" -- "$OC" --help
has "$TMP/out" "usage: overcap" "--help prints usage"
has "$TMP/out" "exit codes" "--help documents exit codes"
expect 2 "no arguments" -- "$OC"
expect 2 "unknown command" -- "$OC" frobnicate
has "$TMP/err" "unknown command 'frobnicate'" "unknown command is named"
expect 0 "help run" -- "$OC" help run
has "$TMP/out" "--save-step" "help run lists options"
expect 0 "run --help" -- "$OC" run --help
expect 0 "help check" -- "$OC" help check
expect 2 "help of nothing" -- "$OC" help nothing
expect 0 "--version" -- "$OC" --version
has "$TMP/out" "^overcap [0-9][0-9.]* (lane loops: \(avx512f\|avx2\|baseline\))$" "--version names the lane loops' instructions"

# running a model
expect 0 "run to stdout" -- "$OC" run "$DATA/decay.xmile"
has "$TMP/out" "^time,Material,Decay,Decay Rate" "CSV header"
has "$TMP/out" "^1,58.6181640625,29.30908203125,0.5$" "Euler: 100 * (1 - 0.5 * 0.25)^4, saved every year"
lines=$(wc -l <"$TMP/out")
[ "$lines" -eq 6 ] && ok || bad "save step 1 from 0 to 4 gives 5 rows and a header, not $lines lines"
expect 0 "tsv" -- "$OC" run "$DATA/decay.xmile" --format tsv
has "$TMP/out" "$(printf 'time\tMaterial')" "TSV uses tabs"
expect 0 "json" -- "$OC" run "$DATA/decay.xmile" --format json
has "$TMP/out" '"variables"' "JSON has variables"
has "$TMP/out" '"units": "kg"' "JSON carries units"
expect 0 "--set" -- "$OC" run "$DATA/decay.xmile" --set "decay rate=1" --vars material
has "$TMP/out" "^1,31.640625$" "--set changes the run: 100 * 0.75^4"
expect 0 "--vars" -- "$OC" run "$DATA/decay.xmile" --vars "Decay,material"
has "$TMP/out" "^time,Decay,Material$" "--vars selects and orders"
expect 0 "--dt and --save-step" -- "$OC" run "$DATA/decay.xmile" --dt 0.5 --save-step 2 --stop 8
lines=$(wc -l <"$TMP/out")
[ "$lines" -eq 6 ] && ok || bad "--stop 8 --save-step 2 gives 5 rows, got $((lines - 1))"
expect 0 "--method rk4" -- "$OC" run "$DATA/decay.xmile" --method rk4 --vars material
if grep -q "^1,60.6" "$TMP/out"; then ok; else bad "rk4 after one year is near exp(-0.5)*100: $(sed -n 3p "$TMP/out")"; fi

# usage errors: exit 2, with the culprit named
expect 2 "--set unknown" -- "$OC" run "$DATA/decay.xmile" --set nosuch=1
has "$TMP/err" "nosuch" "--set names the unknown variable"
expect 2 "--set not a number" -- "$OC" run "$DATA/decay.xmile" --set decay_rate=fast
expect 2 "--set NaN" -- "$OC" run "$DATA/decay.xmile" --set decay_rate=nan
expect 2 "--set a stock" -- "$OC" run "$DATA/decay.xmile" --set material=3
has "$TMP/err" "not a constant" "a stock cannot be set"
expect 2 "--set without =" -- "$OC" run "$DATA/decay.xmile" --set decay_rate
expect 2 "--dt 0" -- "$OC" run "$DATA/decay.xmile" --dt 0
has "$TMP/err" "dt must be positive" "--dt 0 explained"
expect 2 "--dt -1" -- "$OC" run "$DATA/decay.xmile" --dt -1
expect 2 "--dt junk" -- "$OC" run "$DATA/decay.xmile" --dt fast
expect 2 "--stop before start" -- "$OC" run "$DATA/decay.xmile" --stop -5
expect 2 "--save-step not a multiple" -- "$OC" run "$DATA/decay.xmile" --save-step 0.3
expect 2 "--method bad" -- "$OC" run "$DATA/decay.xmile" --method gear
expect 2 "--format bad" -- "$OC" run "$DATA/decay.xmile" --format xls
expect 2 "--vars unknown" -- "$OC" run "$DATA/decay.xmile" --vars nothing
expect 2 "--seed negative" -- "$OC" run "$DATA/random.xmile" --seed -1
expect 2 "option without value" -- "$OC" run "$DATA/decay.xmile" --dt
expect 2 "unknown option" -- "$OC" run "$DATA/decay.xmile" --fast
expect 2 "two models" -- "$OC" run "$DATA/decay.xmile" "$DATA/random.xmile"

# model and I/O errors
expect 3 "missing model" -- "$OC" run "$TMP/none.xmile"
has "$TMP/err" "none.xmile" "the missing file is named"
expect 1 "broken model" -- "$OC" run "$DATA/broken.xmile"
has "$TMP/err" "broken.xmile:8:" "the error names file and line"
has "$TMP/err" "variable 'output'" "the error names the variable"
expect 3 "unwritable output" -- "$OC" run "$DATA/decay.xmile" -o "$TMP/no/such/dir/out.csv"

# atomic output: a failed run leaves the old file untouched, no temporaries
echo "precious" >"$TMP/keep.csv"
expect 1 "failed run" -- "$OC" run "$DATA/broken.xmile" -o "$TMP/keep.csv"
has "$TMP/keep.csv" "^precious$" "the old output survives a failed run"
expect 0 "write a file" -- "$OC" run "$DATA/decay.xmile" -o "$TMP/keep.csv"
has "$TMP/keep.csv" "^time,Material" "the new output replaced it"
perm=$(umask 022; "$OC" run "$DATA/decay.xmile" -o "$TMP/perm.csv" && stat -c %a "$TMP/perm.csv")
[ "$perm" = 644 ] && ok || bad "output files get the usual mode (644 under umask 022), not $perm"
leftovers=$(ls "$TMP" | grep -c '\.tmp\.' || true)
[ "$leftovers" -eq 0 ] && ok || bad "temporary files left: $leftovers"

# determinism of random functions
expect 0 "seeded run a" -- "$OC" run "$DATA/random.xmile" --seed 42 -o "$TMP/a.csv"
expect 0 "seeded run b" -- "$OC" run "$DATA/random.xmile" --seed 42 -o "$TMP/b.csv"
expect 0 "seeded run c" -- "$OC" run "$DATA/random.xmile" --seed 43 -o "$TMP/c.csv"
cmp -s "$TMP/a.csv" "$TMP/b.csv" && ok || bad "the same seed gives identical files"
cmp -s "$TMP/a.csv" "$TMP/c.csv" && bad "another seed gives the same file" || ok

# check
expect 0 "check" -- "$OC" check "$DATA/decay.xmile"
has "$TMP/out" "ok: 3 variables (1 stocks, 1 flows, 1 auxiliaries" "check counts kinds"
has "$TMP/out" "program: [1-9][0-9]* instructions per evaluation of the rates" "check reports the size of the compiled program"
has "$TMP/out" "no warnings" "a clean model has no warnings"
expect 0 "check warns" -- "$OC" check "$DATA/unused.xmile"
has "$TMP/out" "'forgotten': not used" "unused variable warned"
has "$TMP/out" "'used': no units" "missing units warned"
expect 1 "check --strict" -- "$OC" check --strict "$DATA/unused.xmile"
expect 1 "check broken" -- "$OC" check "$DATA/broken.xmile"
expect 3 "check missing" -- "$OC" check "$TMP/none.xmile"

# the built-in AI compute model and the bubble commands
expect 0 "run the built-in model" -- "$OC" run
has "$TMP/out" "^verdict: no bubble" "the baseline's verdict"
has "$TMP/out" "compute capacity (H100e)" "the key series"
expect 0 "a preset" -- "$OC" run --scenario architecture-100x -o "$TMP/arch.csv"
has "$TMP/out" "^verdict: bubble from 2027" "the essay's 100x architecture is a bubble"
has "$TMP/arch.csv" "^time,hours_per_year" "-o writes every series"
expect 0 "built-in model, chosen series" -- "$OC" run --vars compute_capacity,compute_demand -o "$TMP/two.csv"
has "$TMP/two.csv" "^time,compute_capacity,compute_demand$" "--vars on the built-in model writes those series"
[ "$(wc -l <"$TMP/two.csv")" -eq 162 ] && ok || bad "--vars on the built-in model: 161 saved points and a header"
expect 2 "unknown preset" -- "$OC" run --scenario nothing-like-it
has "$TMP/err" "no scenario 'nothing-like-it' (presets: architecture-100x, baseline" "presets listed"
printf '{"set": {"hardware_life_years": -1}}' >"$TMP/neg.json"
expect 2 "negative life" -- "$OC" run --scenario "$TMP/neg.json" -o "$TMP/neg.csv"
has "$TMP/err" "set.hardware_life_years: -1 is outside" "the key is named"
[ ! -e "$TMP/neg.csv" ] && ok || bad "nothing is written for a bad scenario"
printf '{"set": {"hardware_life_years": 4},' >"$TMP/broken.json"
expect 2 "malformed scenario" -- "$OC" run --scenario "$TMP/broken.json"
has "$TMP/err" "broken.json:1:" "malformed JSON: file and line"
# a fleet retired toward zero (966% a year gradual gains, fast early
# retirement): the average age stays within the hardware's life, so the
# running cost of old capacity stays finite (it overflowed in 2039.5; a
# sensitivity analysis of 16,384 base samples drew this point)
expect 0 "a fleet shrinking toward zero" -- "$OC" run --set demand_price_elasticity=1.3223452244109399 --set demand_adjustment_years=0.78371544633994716 --set max_demand_expansion_per_year=7.0967707300550451 --set hardware_life_years=6.4803214327639864 --set hardware_cost_decline_per_year=0.27084013604442325 --set gradual_efficiency_gain_per_year=9.6585850700213509 --set long_run_compute_demand_growth=0.027471028009228182 --set trend_growth_half_life_years=6.6197741451544871 --set investor_optimism=1.1919723903358017 --set supply_line_weight=0.29194270732185512 --set capacity_cost_per_unit_2025=33967.888104329388 --set early_retirement_speed=0.93297769458287216 --vars average_capacity_age,hardware_life_years -o "$TMP/shrink.csv"
awk -F, 'NR > 1 && !($2 <= $3 + 1e-9) { print; exit 1 }' "$TMP/shrink.csv" && ok || bad "the average age never exceeds the hardware life"
expect 3 "missing scenario file" -- "$OC" run --scenario "$TMP/none.json"
has "$TMP/err" "none.json: cannot open the scenario file: No such file or directory" "a missing scenario file: the reason"
expect 0 "diagnose" -- "$OC" diagnose --scenario jump-100x --table "$TMP/margins.csv"
has "$TMP/out" "^timeline:" "diagnose prints the timeline"
has "$TMP/margins.csv" "^time,state,idle_share" "diagnose --table writes the margins"
expect 2 "diagnose a model without a mapping" -- "$OC" diagnose "$DATA/decay.xmile"
expect 0 "diagnose a model with a mapping" -- "$OC" diagnose "$DATA/decay.xmile" --capacity material --demand decay --life 3
has "$TMP/out" "^verdict:" "any model can be diagnosed"
expect 2 "diagnose unknown mapping" -- "$OC" diagnose "$DATA/decay.xmile" --capacity nothing --demand decay --life 3
has "$TMP/err" "capacity: no variable 'nothing'" "the mapped name is checked"
expect 0 "compare" -- "$OC" compare baseline jump-2x jump-100x -o "$TMP/cmp.csv"
has "$TMP/out" "^jump-100x  *bubble" "compare: jump-100x is a bubble"
has "$TMP/out" "^jump-2x  *normal cycle" "compare: jump-2x is absorbed"
has "$TMP/cmp.csv" "^jump-2x,2020," "compare -o writes each scenario's series"
expect 2 "compare with a bad scenario writes nothing" -- "$OC" compare baseline "$TMP/neg.json" -o "$TMP/cmp2.csv"
[ ! -e "$TMP/cmp2.csv" ] && ok || bad "compare checks every scenario before writing"
expect 0 "critical" -- "$OC" critical --scenario jump-10x --adoption-years 0.5
has "$TMP/out" "F\* = 2[0-9.]*:" "critical finds F* near 28 on the essay's assumptions"
expect 0 "critical on the data" -- "$OC" critical
has "$TMP/out" "no bubble for any jump up to 1000x" "the data absorb any jump up to 1000x"
expect 0 "critical grid" -- "$OC" critical --scenario jump-10x --grid demand_price_elasticity=0.6:1.8:3 -o "$TMP/grid.csv"
lines=$(wc -l <"$TMP/grid.csv")
[ "$lines" -eq 4 ] && ok || bad "the grid has a header and 3 rows, not $lines lines"
expect 2 "critical grid of a non-constant" -- "$OC" critical --grid compute_demand=1:2:2
expect 0 "help diagnose" -- "$OC" help diagnose
expect 0 "help compare" -- "$OC" help compare
expect 0 "help critical" -- "$OC" help critical

# serve: help and option errors (the server itself: tests/browser/api.test.mjs)
expect 0 "help serve" -- "$OC" help serve
has "$TMP/out" "/api/run" "help serve lists the API"
has "$TMP/out" "127.0.0.1" "help serve says where it binds"
expect 0 "serve --help" -- "$OC" serve --help
expect 2 "serve --port 70000" -- "$OC" serve --port 70000
has "$TMP/err" "--port: '70000' is not a whole number from 0 to 65535" "serve names the bad port"
expect 2 "serve --host bad" -- "$OC" serve --host localhost.example
has "$TMP/err" "not an IPv4 address" "serve names the bad host"
expect 2 "serve --jobs 0" -- "$OC" serve --jobs 0
expect 2 "serve --port without value" -- "$OC" serve --port
expect 2 "serve unknown option" -- "$OC" serve --frobnicate
has "$TMP/err" "unknown option '--frobnicate'" "serve names the unknown option"

finish
