# lib.sh - what every end-to-end test script shares; sourced after the
# script has read its arguments. A scratch directory $TMP (removed on exit),
# counters, and the checks:
#   expect CODE WHAT -- COMMAND...  runs COMMAND, stdout to $TMP/out and
#                                   stderr to $TMP/err, checks the exit code
#   has FILE PATTERN WHAT           FILE has a line matching PATTERN (grep)
#   has_fixed FILE TEXT WHAT        FILE contains TEXT literally
#   hasnt FILE PATTERN WHAT         no line of FILE matches PATTERN
#   finish                          prints "N passed, N failed", sets the status
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

expect() {
    want=$1; what=$2; shift 3
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want ($(head -c 400 "$TMP/err"))"; fi
}
has() { if grep -q -- "$2" "$1"; then ok; else bad "$3: '$2' not in $(head -c 400 "$1")"; fi; }
has_fixed() { if grep -q -F -- "$2" "$1"; then ok; else bad "$3: '$2' not in $(head -c 400 "$1")"; fi; }
hasnt() { if grep -q -- "$2" "$1"; then bad "$3: '$2' found"; else ok; fi; }

finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
