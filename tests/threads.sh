#!/bin/sh
# threads.sh OVERCAP DATA_DIR - the parallel paths give the bytes of the
# serial ones: Monte Carlo (correlated design blocks shared by threads,
# odd lane counts, an interrupted run resumed on another thread count) and
# global sensitivity, on 1 to 4 threads. In the thread-sanitizer build
# (`make test-tsan`) a data race also fails it: the sanitizer reports it
# and the command exits non-zero.
set -u
OC=$1
DATA=$2
. "$(dirname "$0")/lib.sh"

SPEC="--samples 3000 --seed 5 --quiet"
expect 0 "mc, 1 thread" -- "$OC" mc $SPEC --threads 1 -o "$TMP/t1.json"
for t in 2 4; do
    expect 0 "mc, $t threads" -- "$OC" mc $SPEC --threads "$t" -o "$TMP/t$t.json"
    cmp -s "$TMP/t1.json" "$TMP/t$t.json" && ok || bad "mc: $t threads give the bytes of 1"
done
expect 0 "mc, 3 threads of 13 lanes" -- "$OC" mc $SPEC --threads 3 --lanes 13 -o "$TMP/t3.json"
cmp -s "$TMP/t1.json" "$TMP/t3.json" && ok || bad "mc: 3 threads of 13 lanes give the bytes of 1 thread of 64"
expect 4 "mc stopped on 4 threads" -- "$OC" mc $SPEC --threads 4 --stop-after 1000 -o "$TMP/r.json"
expect 0 "mc resumed on 3 threads" -- "$OC" mc $SPEC --threads 3 --resume "$TMP/r.json.checkpoint" -o "$TMP/r.json"
cmp -s "$TMP/t1.json" "$TMP/r.json" && ok || bad "mc: stopped on 4 threads, resumed on 3: the bytes of 1"

expect 0 "mc of a model of one's own, 1 thread" -- "$OC" mc "$DATA/ishigami.json" --model "$DATA/ishigami.xmile" --samples 2000 --threads 1 --quiet -o "$TMP/i1.json"
expect 0 "mc of a model of one's own, 4 threads" -- "$OC" mc "$DATA/ishigami.json" --model "$DATA/ishigami.xmile" --samples 2000 --threads 4 --quiet -o "$TMP/i4.json"
cmp -s "$TMP/i1.json" "$TMP/i4.json" && ok || bad "mc of a model of one's own: 4 threads give the bytes of 1"

SENS="--base-samples 128 --bootstrap 40 --seed 2"
expect 0 "sensitivity, 1 thread" -- "$OC" sensitivity $SENS --threads 1 -o "$TMP/s1.csv"
expect 0 "sensitivity, 4 threads" -- "$OC" sensitivity $SENS --threads 4 -o "$TMP/s4.csv"
cmp -s "$TMP/s1.csv" "$TMP/s4.csv" && ok || bad "sensitivity: 4 threads give the bytes of 1"
finish
