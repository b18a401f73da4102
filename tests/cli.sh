#!/bin/sh
# cli.sh OVERCAP DATA_DIR - the command line: help, exit codes, options,
# atomic output, determinism. Prints "N passed, N failed" last.
set -u
OC=$1
DATA=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE DESCRIPTION -- command...   (stdout in $TMP/out, stderr in $TMP/err)
expect() {
    want=$1; what=$2; shift 3
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want ($(head -c 300 "$TMP/err"))"; fi
}
has() { # has FILE TEXT DESCRIPTION
    if grep -q -- "$2" "$1"; then ok; else bad "$3: '$2' not in $(head -c 300 "$1")"; fi
}

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
has "$TMP/out" "no warnings" "a clean model has no warnings"
expect 0 "check warns" -- "$OC" check "$DATA/unused.xmile"
has "$TMP/out" "'forgotten': not used" "unused variable warned"
has "$TMP/out" "'used': no units" "missing units warned"
expect 1 "check --strict" -- "$OC" check --strict "$DATA/unused.xmile"
expect 1 "check broken" -- "$OC" check "$DATA/broken.xmile"
expect 3 "check missing" -- "$OC" check "$TMP/none.xmile"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
