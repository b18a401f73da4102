#!/bin/sh
# backtest.sh OVERCAP DATA_DIR TEST_SVG - `overcap backtest` and `overcap nowcast` on
# the command line: presets, verdicts and their numbers, gaps, malformed
# CSVs with their exit codes and messages, the size limit, the nowcast's
# states and critical jump, the --svg panel (TEST_SVG --wellformed checks
# it). DATA_DIR is tests/data/backtest. Prints
# "N passed, N failed" last.
set -u
OC=$1
DATA=$2
CHK=$3
. "$(dirname "$0")/lib.sh"

# help
expect 0 "help backtest" -- "$OC" help backtest
has "$TMP/out" "usage: overcap backtest" "help backtest: usage"
has "$TMP/out" "railway-mania" "help backtest: presets"
has "$TMP/out" "--interpolate linear|none" "help backtest: gaps"
has "$TMP/out" "Exit codes" "help backtest: exit codes"
expect 0 "backtest --help" -- "$OC" backtest --help
expect 0 "help nowcast" -- "$OC" help nowcast
has "$TMP/out" "usage: overcap nowcast" "help nowcast: usage"
has "$TMP/out" "--year T" "help nowcast: options"
expect 0 "--help lists backtest" -- "$OC" --help
has "$TMP/out" "backtest" "--help names backtest"
has "$TMP/out" "nowcast" "--help names nowcast"

# the presets
expect 0 "railway-mania" -- "$OC" backtest railway-mania
has "$TMP/out" "^verdict: bubble from 1848.0" "railway: flagged 1848 (within 1845-1850)"
has "$TMP/out" "69% of capacity" "railway: the verdict cites the idle share"
has "$TMP/out" "committed_network_miles = 12075" "railway: evidence cites capacity"
has "$TMP/out" "^     1848 filled        12075      3700\*" "railway: 1848 is filled, marked"
has "$TMP/out" "^     1847 observed      11702       3451" "railway: 1847 observed"
has "$TMP/out" "2.4 years later" "railway: lag to the share peak"
has "$TMP/out" "5 filled: 1845 (demand)" "railway: filled years listed"
# the panel: observed and interpolated points apart, the known dates, the takeaway
expect 0 "railway-mania --svg" -- "$OC" backtest railway-mania --svg "$TMP/rail.svg"
if "$CHK" --wellformed "$TMP/rail.svg" >"$TMP/wf" 2>&1; then ok; else bad "railway panel not well-formed: $(head -c 300 "$TMP/wf")"; fi
has_fixed "$TMP/rail.svg" "bubble flagged from 1848, 2.4 years after railway share index peak" "railway panel: the title states the finding"
has_fixed "$TMP/rail.svg" ">filled in (interpolated)<" "railway panel: interpolated points in the legend"
has_fixed "$TMP/rail.svg" "traffic_route_miles (route miles of traffic at 1844 density)" "railway panel: demand's unit in the legend"
has_fixed "$TMP/rail.svg" ">railway share index peak (9 Aug 1845)<" "railway panel: the known date is drawn"
if ls "$TMP" | grep -q '\.tmp'; then bad "backtest --svg left a temporary file"; else ok; fi
expect 3 "--svg into a missing folder" -- "$OC" backtest railway-mania --svg "$TMP/no/such/dir/x.svg"
expect 0 "telecom --svg" -- "$OC" backtest telecom --svg "$TMP/tel.svg"
has_fixed "$TMP/tel.svg" "bubble flagged from 2001, 0.8 years after NASDAQ peak" "telecom panel: the title states the finding"
expect 0 "telecom" -- "$OC" backtest telecom
has "$TMP/out" "^verdict: bubble from 2001.0" "telecom: flagged 2001 (within 1999-2003)"
has "$TMP/out" "97% of capacity" "telecom: idle share cited"
has "$TMP/out" "0.8 years later" "telecom: lag to the NASDAQ peak"
has "$TMP/out" "first year with data" "telecom: says where its data begin"
expect 0 "telecom without interpolation" -- "$OC" backtest telecom --interpolate none
has "$TMP/out" "^verdict: bubble from 2001.0" "telecom: observed years alone"
has "$TMP/out" "no interpolation" "telecom: says no interpolation"
expect 0 "railway, open network" -- "$OC" backtest railway-mania --capacity miles_open
has "$TMP/out" "^verdict: normal cycle" "railway open network: a normal cycle, no bubble"
expect 0 "railway, --table" -- "$OC" backtest railway-mania --table "$TMP/rail.csv"
has "$TMP/rail.csv" "^time,data,capacity,demand" "--table header"
has "$TMP/rail.csv" "^1848,filled,12075,3700.3333333333335,0,1,bubble" "--table row"
expect 0 "--event" -- "$OC" backtest railway-mania --event "my date=1850"
has "$TMP/out" "my date: flagged 1848, 2.0 years earlier" "--event lead"

# a control: capacity tracking demand is not flagged
expect 0 "control" -- "$OC" backtest "$DATA/control_tracking.csv" --capacity capacity --demand demand
has "$TMP/out" "^verdict: no bubble" "control: no bubble"
# too few observations
expect 0 "few" -- "$OC" backtest "$DATA/few.csv" --capacity capacity --demand demand
has "$TMP/out" "^verdict: insufficient data: 2 observations, at least 3 needed" "few: insufficient"
expect 0 "sparse" -- "$OC" backtest "$DATA/few_sparse.csv" --capacity capacity --demand demand --interpolate linear
has "$TMP/out" "insufficient data" "sparse: filled years do not count"
has "$TMP/out" "filled years do not count" "sparse: says so"

# malformed input: clear messages, documented exit codes
expect 2 "missing column" -- "$OC" backtest "$DATA/few.csv" --capacity capacity --demand traffic
has "$TMP/err" "no column 'traffic' in .*few.csv (columns: year, capacity, demand)" "missing column named"
expect 1 "non-numeric" -- "$OC" backtest "$DATA/nonnumeric.csv" --capacity capacity --demand demand
has "$TMP/err" "nonnumeric.csv:3: column 'demand' (column 3): 'n/a' is not a number" "non-numeric: line and column"
expect 1 "duplicate year" -- "$OC" backtest "$DATA/duplicate_year.csv" --capacity capacity --demand demand
has "$TMP/err" "duplicate_year.csv:4: year 2001 repeats line 3" "duplicate year named"
expect 1 "unsorted" -- "$OC" backtest "$DATA/unsorted.csv" --capacity capacity --demand demand
has "$TMP/err" "unsorted.csv:4: year 2001 comes after 2002" "unsorted named"
expect 1 "empty" -- "$OC" backtest "$DATA/empty.csv" --capacity capacity --demand demand
has "$TMP/err" "empty.csv: empty file" "empty file"
expect 1 "ragged" -- "$OC" backtest "$DATA/ragged.csv" --capacity capacity --demand demand
has "$TMP/err" "ragged.csv:3: 2 fields, the header (line 1) has 3" "ragged row"
expect 3 "missing file" -- "$OC" backtest "$TMP/none.csv" --capacity capacity --demand demand
has "$TMP/err" "none.csv: No such file" "missing file named"
# a 1 GiB file, sparse: refused at once from its size
if truncate -s 1G "$TMP/big.csv" 2>/dev/null || dd if=/dev/null of="$TMP/big.csv" bs=1 seek=1073741824 2>/dev/null; then
    expect 3 "1 GiB" -- "$OC" backtest "$TMP/big.csv" --capacity capacity --demand demand
    has "$TMP/err" "1073741824 bytes (1024.0 MiB), more than the 64 MiB a CSV file may have" "1 GiB refused"
else
    bad "could not create a sparse file"
fi
# usage
expect 2 "no mapping" -- "$OC" backtest "$DATA/few.csv"
has "$TMP/err" "--capacity COL --demand COL" "no mapping explained"
expect 2 "no preset" -- "$OC" backtest dotcom
has "$TMP/err" "no preset 'dotcom'" "unknown preset named"
expect 2 "unknown option" -- "$OC" backtest railway-mania --fast
has "$TMP/err" "unknown option '--fast'" "unknown option named"
expect 2 "bad interpolate" -- "$OC" backtest railway-mania --interpolate cubic
expect 2 "bad life" -- "$OC" backtest railway-mania --life -1
expect 2 "option without value" -- "$OC" backtest railway-mania --life
has "$TMP/err" "--life needs a value" "missing value named"
expect 2 "nothing" -- "$OC" backtest

# the nowcast
expect 0 "nowcast" -- "$OC" nowcast
for y in 2024 2025 2026; do
    if grep -Eq "^  $y  (shortage|balanced) " "$TMP/out"; then ok; else bad "nowcast: $y is not shortage or balanced: $(grep "^  $y" "$TMP/out")"; fi
done
has "$TMP/out" "^now: 2026.9: shortage" "nowcast: now"
has "$TMP/out" "critical jump: F\* = " "nowcast: prints the critical jump"
has "$TMP/out" "^the data: scenario baseline" "nowcast: the scenario of the data"
has "$TMP/out" "^the essay's assumptions: scenario jump-10x" "nowcast: the essay's scenario"
has "$TMP/out" "gradual gain: the market absorbs up to" "nowcast: the gradual gain"
has "$TMP/out" "not counted" "nowcast: lists what it does not count"
expect 2 "nowcast bad year" -- "$OC" nowcast --year 1990
expect 2 "nowcast unknown" -- "$OC" nowcast --fast
has "$TMP/err" "unknown argument '--fast'" "nowcast: unknown option named"
expect 2 "nowcast option without value" -- "$OC" nowcast --year
has "$TMP/err" "--year needs a value" "nowcast: missing value named"
expect 3 "nowcast missing file" -- "$OC" nowcast --file "$TMP/none.csv"

finish
