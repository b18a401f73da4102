#!/bin/sh
# bench/run.sh BUILD_DIR - overcap against SDEverywhere's JavaScript target.
#
# Generates the benchmark models into bench/out/, runs bench_engine (overcap)
# and bench/sde_bench.mjs (SDE) on each in turn, one after the other so they
# never share the two cores, prints a table and appends it to
# bench/out/results.md with the date and the command. `make bench` calls it
# after building. What the numbers mean: docs/internals/bench.md.
#
# Either engine may fail on a model; its cell then says why and the run goes
# on. The script fails only when it cannot benchmark at all (no build, no
# genmodel).
#
# Settings from the environment:
#   BENCH_SIZES        chain sizes in stocks   (default "10 100 1000 10000")
#   BENCH_STEPS        Euler steps per run     (default 1600)
#   BENCH_MIN_SECONDS  timed seconds per model (default 1)
#   BENCH_METHOD       euler or rk4, overcap only (default euler; SDE's
#                      JavaScript runtime integrates with Euler only)
#   BENCH_SDE          0 to skip the SDE side
#   BENCH_TIMEOUT      seconds one engine may take on one model, compile
#                      included (default 1800; SDE needs about 130 s for
#                      10,000 stocks on a 2-core machine)
set -u

usage() {
    echo "usage: bench/run.sh BUILD_DIR" >&2
    echo "  BUILD_DIR is a CMake build of overcap holding bench_engine and genmodel." >&2
}

if [ $# -ne 1 ]; then
    usage
    exit 2
fi

command_line="bench/run.sh $*"
root=$(cd "$(dirname "$0")/.." && pwd)
build_arg=$1
case "$build_arg" in
    /*) build=$build_arg ;;
    *) build=$(cd "$build_arg" 2>/dev/null && pwd) || {
        echo "bench: no build directory '$build_arg'" >&2
        exit 2
    } ;;
esac
cd "$root" || exit 2

sizes=${BENCH_SIZES:-"10 100 1000 10000"}
steps=${BENCH_STEPS:-1600}
min_seconds=${BENCH_MIN_SECONDS:-1}
method=${BENCH_METHOD:-euler}
use_sde=${BENCH_SDE:-1}
limit=${BENCH_TIMEOUT:-1800}
out=bench/out
teacup=../shared/sd-test-models/samples/teacup/teacup.xmile

# The binaries sit at the top of the build (tools/ and bench/ CMake files put
# them there); older builds had them in subfolders.
find_binary() {
    for candidate in "$build/$1" "$build/bench/$1" "$build/tools/$1"; do
        if [ -x "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

genmodel=$(find_binary genmodel) || {
    echo "bench: no genmodel in $build_arg (build it: cmake --build $build_arg)" >&2
    exit 1
}
bench_engine=$(find_binary bench_engine) || bench_engine=""
if [ -z "$bench_engine" ]; then
    echo "bench: no bench_engine in $build_arg: the overcap column will say so" >&2
fi

mkdir -p "$out" || exit 1
log="$out/run.log"
: >"$log"

# --- SDE: install the npm packages once --------------------------------
sde_reason=""
if [ "$use_sde" = 0 ]; then
    sde_reason="skipped (BENCH_SDE=0)"
elif ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    sde_reason="node or npm not installed"
elif [ ! -d bench/node_modules/@sdeverywhere/compile ] ||
    [ ! -d bench/node_modules/@sdeverywhere/runtime ] ||
    [ ! -e bench/node_modules/xlsx ]; then
    if [ -f bench/package-lock.json ]; then
        install="npm ci"
    else
        install="npm install"
    fi
    echo "bench: installing SDEverywhere ($install in bench/)" >&2
    if ! (cd bench && $install --no-audit --no-fund) >>"$log" 2>&1; then
        sde_reason="$install failed (see $log)"
    fi
fi

# --- Models ---------------------------------------------------------------
models=""
for n in $sizes; do
    file="$out/chain_$n.xmile"
    if ! "$genmodel" chain "$n" --steps "$steps" -o "$file" 2>>"$log"; then
        echo "bench: genmodel chain $n failed (see $log)" >&2
        exit 1
    fi
    models="$models $file"
done
if [ -f "$teacup" ]; then
    models="$models $teacup"
else
    echo "bench: $teacup not found: skipping the teacup model" >&2
fi

# --- Running ---------------------------------------------------------------

# field KEY LINE: the value of KEY=... in a key=value line ("" when absent).
field() {
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# error_of LINE: everything after "error=", which may contain blanks.
error_of() {
    printf '%s\n' "$1" | sed -n 's/.*error=//p' | tr '|' '/' | cut -c1-160
}

# ratio A B: A / B to two decimals, or "-" when either is missing.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'
}

# sci X: a rate in a short fixed form (1.23e+07), or "-" for nothing.
sci() {
    awk -v x="$1" 'BEGIN { if (x == "") print "-"; else printf "%.3g\n", x }'
}

secs() {
    awk -v x="$1" 'BEGIN { if (x == "") print "-"; else printf "%.3g\n", x }'
}

# run_limited CMD...: runs CMD with stderr to the log and at most $limit
# seconds; sets last_line to its last line of output and last_reason to why
# it gave none (a time-out, a crash).
run_limited() {
    if command -v timeout >/dev/null 2>&1; then
        timeout "$limit" "$@" >"$out/last.txt" 2>>"$log"
    else
        "$@" >"$out/last.txt" 2>>"$log"
    fi
    last_status=$?
    last_line=$(tail -n 1 "$out/last.txt")
    last_reason=""
    case $last_status in
        0 | 1) ;;
        124) last_reason="timed out after $limit s" ;;
        *) last_reason="exit status $last_status" ;;
    esac
    rm -f "$out/last.txt"
}

rows=""
failures=""
header="| model | stocks | overcap stock-steps/s | SDE-JS stock-steps/s | overcap/SDE | overcap load s | SDE compile+load s |"
rule="|---|---:|---:|---:|---:|---:|---:|"

for model in $models; do
    name=$(basename "$model" .xmile)
    echo "bench: $name" >&2

    # overcap
    oc_line=""
    oc_rate=""
    oc_load=""
    stocks=""
    if [ -n "$bench_engine" ]; then
        run_limited "$bench_engine" "$model" --method "$method" --min-seconds "$min_seconds"
        oc_line=$last_line
        printf 'overcap: %s\n' "$oc_line" >>"$log"
        oc_rate=$(field stock_steps_per_sec "$oc_line")
        oc_load=$(field load_seconds "$oc_line")
        stocks=$(field stocks "$oc_line")
        if [ -z "$oc_rate" ]; then
            reason=$(error_of "$oc_line")
            [ -n "$reason" ] || reason=$last_reason
            [ -n "$reason" ] || reason="bench_engine exited without a result"
            oc_cell="overcap: failed ($reason)"
            failures="$failures
- $name: $oc_cell"
        else
            oc_cell=$(sci "$oc_rate")
        fi
    else
        oc_cell="overcap: failed (bench_engine not built)"
    fi

    # SDE
    sde_rate=""
    sde_time=""
    if [ -n "$sde_reason" ]; then
        sde_cell="sde: failed ($sde_reason)"
    else
        run_limited node bench/sde_bench.mjs "$model" --min-seconds "$min_seconds" \
            --js-out "$out/$name.sde.js"
        sde_line=$last_line
        printf 'sde: %s\n' "$sde_line" >>"$log"
        sde_rate=$(field stock_steps_per_sec "$sde_line")
        if [ -z "$sde_rate" ]; then
            reason=$(error_of "$sde_line")
            [ -n "$reason" ] || reason=$last_reason
            [ -n "$reason" ] || reason="sde_bench.mjs exited without a result"
            sde_cell="sde: failed ($reason)"
            failures="$failures
- $name: $sde_cell"
        else
            sde_cell=$(sci "$sde_rate")
            sde_time=$(awk -v c="$(field compile_seconds "$sde_line")" \
                -v l="$(field load_seconds "$sde_line")" 'BEGIN { print c + l }')
            [ -n "$stocks" ] || stocks=$(field stocks "$sde_line")
        fi
        # What the two computed, for a reader who wants to compare.
        oc_final=$(field final "$oc_line")
        sde_final=$(field final "$sde_line")
        if [ -n "$oc_final" ] && [ -n "$sde_final" ]; then
            printf 'final value of %s: overcap %s, sde %s\n' \
                "$(field output "$sde_line")" "$oc_final" "$sde_final" >>"$log"
        fi
    fi

    row="| $name | ${stocks:--} | $oc_cell | $sde_cell | $(ratio "$oc_rate" "$sde_rate") | $(secs "$oc_load") | $(secs "$sde_time") |"
    rows="$rows$row
"
done

# --- Report -----------------------------------------------------------------
date_now=$(date -u '+%Y-%m-%d %H:%M UTC')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
node_version=$(node --version 2>/dev/null || echo none)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)

table="$header
$rule
$rows"

printf '\n%s' "$table"
printf 'Chain models: %s Euler steps of 0.25 per run; >= %s s timed per engine and model; overcap method %s.\n' \
    "$steps" "$min_seconds" "$method"
printf 'Details (the raw lines, final values): %s\n' "$log"

{
    printf '\n## %s\n\n' "$date_now"
    # shellcheck disable=SC2016 # the backquotes are Markdown
    printf 'Command: `%s` (BENCH_SIZES="%s" BENCH_STEPS=%s BENCH_MIN_SECONDS=%s BENCH_METHOD=%s)\n' \
        "$command_line" "$sizes" "$steps" "$min_seconds" "$method"
    printf 'Commit %s, node %s, %s, %s cores.\n\n' "$commit" "$node_version" \
        "${cpu:-unknown cpu}" "$(nproc 2>/dev/null || echo '?')"
    printf '%s' "$table"
    if [ -n "$failures" ]; then
        printf '\nFailures:%s\n' "$failures"
    fi
} >>"$out/results.md"

# --- Monte Carlo throughput (issue 4) ----------------------------------------
"$(dirname "$0")/mc.sh" "$build" || echo "bench: the Monte Carlo benchmark failed"

# --- The explorer's slider latency (issue 6) ----------------------------------
node "$(dirname "$0")/serve.mjs" "$build" || echo "bench: the serve benchmark failed"

exit 0
