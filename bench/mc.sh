#!/bin/sh
# bench/mc.sh BUILD_DIR - Monte Carlo throughput of the flagship model, in one
# invocation: the batched path (64 scenarios per pass) on 1 thread and on all
# threads, and the same futures one scenario at a time (--lanes 1: the
# ordinary run path, one program pass per future), with the ratios; then the
# time of 1,000,000 futures on all threads. Each figure is the wall time of
# `overcap mc` (spec loading, sampling, simulation, diagnosis, reduction).
# The three paths run in turn, BENCH_MC_ROUNDS times (default 3), and each
# keeps its fastest round: on a shared machine a slow round is someone
# else's load, and interleaving exposes every path to the same spells.
# Appends a table to bench/out/results.md.
set -eu
build=${1:-build}
oc="$build/overcap"
here=$(cd "$(dirname "$0")" && pwd)
out="$here/out"
mkdir -p "$out"
n=${BENCH_MC_SAMPLES:-100000}
rounds=${BENCH_MC_ROUNDS:-3}
big=${BENCH_MC_BIG:-1000000}
cores=$(nproc 2>/dev/null || echo 2)

time_mc() { # time_mc SAMPLES ARGS...: prints seconds
    s=$1
    shift
    t0=$(date +%s.%N)
    "$oc" mc --samples "$s" --quiet "$@" -o "$out/mc_bench.json"
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }'
}

faster() { # faster A B: the smaller of two times
    echo "$1 $2" | awk '{ print ($1 < $2 ? $1 : $2) }'
}

echo "bench: Monte Carlo, $n futures of the flagship model, best of $rounds rounds"
one=1e9
batch1=1e9
batchall=1e9
r=0
while [ "$r" -lt "$rounds" ]; do
    one=$(faster "$one" "$(time_mc "$n" --threads 1 --lanes 1)")
    batch1=$(faster "$batch1" "$(time_mc "$n" --threads 1 --lanes 64)")
    batchall=$(faster "$batchall" "$(time_mc "$n" --threads "$cores" --lanes 64)")
    r=$((r + 1))
done
echo "bench: Monte Carlo, $big futures on $cores threads"
bigt=$(time_mc "$big" --threads "$cores" --lanes 64)

table=$(awk -v n="$n" -v one="$one" -v b1="$batch1" -v ba="$batchall" -v big="$big" -v bigt="$bigt" -v cores="$cores" 'BEGIN {
    r1 = n / one; rb = n / b1; ra = n / ba
    printf "| path | threads | futures/s | ratio |\n|---|---:|---:|---:|\n"
    printf "| one scenario per pass (--lanes 1) | 1 | %.0f | 1.00 |\n", r1
    printf "| batched, 64 per pass | 1 | %.0f | %.2f (batched / one at a time, per core) |\n", rb, rb / r1
    printf "| batched, 64 per pass | %d | %.0f | %.2f (parallel efficiency %.0f%%) |\n", cores, ra, ra / rb, 100 * ra / rb / cores
    printf "\n%d futures on %d threads: %.1f s (%.0f a second)\n", big, cores, bigt, big / bigt
}')
printf '\n%s\n' "$table"
{
    printf '\n## Monte Carlo, %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    # shellcheck disable=SC2016 # the backquotes are Markdown
    printf 'Command: `bench/mc.sh %s` (BENCH_MC_SAMPLES=%s BENCH_MC_BIG=%s BENCH_MC_ROUNDS=%s), commit %s, %s\n\n' \
        "$build" "$n" "$big" "$rounds" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
        "$("$oc" --version)"
    printf '%s\n' "$table"
} >>"$out/results.md"
