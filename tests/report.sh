#!/bin/sh
# report.sh OVERCAP TEST_SVG DATA_DIR - `overcap plot` and `overcap report`
# end to end: charts are well-formed and self-contained, written atomically,
# the same bytes twice; the report holds the verdicts, the assumptions and
# the command that reproduces it, and no external reference; bad inputs give
# clear errors and the documented exit codes. TEST_SVG --wellformed is the
# XML checker (libxml2), so no xmllint is needed. Prints "N passed, N
# failed" last.
set -u
OC=$1
CHK=$2
DATA=$3
. "$(dirname "$0")/lib.sh"
has() { has_fixed "$@"; }
hasnt() { # hasnt FILE EXTENDED-REGEX DESCRIPTION
    if grep -q -E -- "$2" "$1"; then bad "$3: '$(grep -o -E -- "$2" "$1" | head -1)' in $1"; else ok; fi
}
wellformed() { # wellformed FILE DESCRIPTION
    if "$CHK" --wellformed "$1" >"$TMP/wf" 2>&1; then ok; else bad "$2: not well-formed: $(head -c 300 "$TMP/wf")"; fi
}
# A chart or page that needs nothing from outside: no URL but the SVG
# namespace, no script, no external file, no style import.
selfcontained() { # selfcontained FILE DESCRIPTION
    hasnt "$1" '<script|javascript:|<iframe|<object|<embed|<link|@import' "$2: no script or external resource"
    hasnt "$1" '(src|href)="[^#]' "$2: no src or href leaving the page"
    hasnt "$1" 'url\([^#]' "$2: no url() but the page's own patterns"
    if grep -o -E 'https?://[^" )]*' "$1" | grep -v -x 'http://www.w3.org/2000/svg' | grep -q .; then
        bad "$2: a URL: $(grep -o -E 'https?://[^" )]*' "$1" | grep -v -x 'http://www.w3.org/2000/svg' | head -1)"
    else ok; fi
}
no_temporaries() { # no_temporaries DESCRIPTION
    if ls "$TMP" | grep -q '\.tmp\.'; then bad "$1: temporary files left: $(ls "$TMP" | grep '\.tmp\.')"; else ok; fi
}

# ------------------------------------------------------------------ help
expect 0 "help plot" -- "$OC" help plot
has "$TMP/out" "--critical-grid" "help plot lists --critical-grid"
has "$TMP/out" "librsvg2-bin" "help plot says where a PNG converter comes from"
expect 0 "plot --help" -- "$OC" plot --help
expect 0 "help report" -- "$OC" help report
has "$TMP/out" "--mc" "help report mentions --mc"
expect 0 "--help" -- "$OC" --help
has "$TMP/out" "plot" "overcap --help lists plot"
has "$TMP/out" "report" "overcap --help lists report"

# ------------------------------------------------------------------ plot: a run
expect 0 "plot the default chart" -- "$OC" plot -o "$TMP/base.svg"
wellformed "$TMP/base.svg" "default chart"
selfcontained "$TMP/base.svg" "default chart"
has "$TMP/base.svg" "compute capacity" "default chart draws capacity"
has "$TMP/base.svg" "compute demand" "default chart draws demand"
has "$TMP/base.svg" "compute (H100e)" "the y axis has units"
has "$TMP/base.svg" ">shortage<" "state bands are labelled"
has "$TMP/base.svg" "No bubble" "the baseline's title states its takeaway"
expect 0 "plot jump-100x" -- "$OC" plot --scenario jump-100x -o "$TMP/j100.svg"
wellformed "$TMP/j100.svg" "jump-100x chart"
has "$TMP/j100.svg" "<title id=\"plot-title\">Bubble from" "a bubble scenario says so in the title"
has "$TMP/j100.svg" ">bubble<" "the bubble band is labelled"
has "$TMP/j100.svg" "100x jump" "the jump is marked"
has "$TMP/j100.svg" "Verdict: bubble" "the verdict is under the chart"
expect 0 "plot jump-100x again" -- "$OC" plot --scenario jump-100x -o "$TMP/j100b.svg"
if cmp -s "$TMP/j100.svg" "$TMP/j100b.svg"; then ok; else bad "plot: same input, different bytes"; fi
expect 0 "plot to standard output" -- "$OC" plot --vars compute_price
if head -c 4 "$TMP/out" | grep -q '<svg'; then ok; else bad "plot without -o writes the SVG to stdout"; fi
expect 0 "plot --vars idle_share" -- "$OC" plot --vars idle_share -o "$TMP/idle.svg"
has "$TMP/idle.svg" ">0%</text>" "a share is drawn in percent"
has "$TMP/idle.svg" "Idle share goes from 0% in 2020" "a share's title in percent"
expect 0 "plot two units" -- "$OC" plot --vars compute_price,capex --log -o "$TMP/two.svg"
has "$TMP/two.svg" "compute price (USD/(H100e*hour))" "series of different units name them in the legend"
expect 0 "plot --width" -- "$OC" plot --width 1000 --height 500 -o "$TMP/wide.svg"
has "$TMP/wide.svg" 'width="1000" height="500"' "--width and --height"
expect 0 "plot --title" -- "$OC" plot --title "A & B <c>" -o "$TMP/title.svg"
has "$TMP/title.svg" "A &amp; B &lt;c&gt;" "a title from the command line is escaped"
wellformed "$TMP/title.svg" "escaped title"
expect 0 "plot a model of your own" -- "$OC" plot "$DATA/decay.xmile" --vars material,decay -o "$TMP/decay.svg"
wellformed "$TMP/decay.svg" "own model"
has "$TMP/decay.svg" "goes from 100 in 0" "own model: the title describes the series"

# bad inputs: the old file stays, nothing half-written, no temporary left
printf 'keep\n' >"$TMP/keep.svg"
expect 2 "plot --vars unknown" -- "$OC" plot --vars nosuch -o "$TMP/keep.svg"
has "$TMP/err" "no variable 'nosuch'" "unknown variable named"
if [ "$(cat "$TMP/keep.svg")" = "keep" ]; then ok; else bad "a failed plot changed the existing file"; fi
expect 2 "plot own model without --vars" -- "$OC" plot "$DATA/decay.xmile"
has "$TMP/err" "--vars" "own model: asks for --vars"
expect 2 "plot --states on own model" -- "$OC" plot "$DATA/decay.xmile" --vars material --states
has "$TMP/err" "built-in model" "--states explains what it needs"
expect 2 "plot --log --linear" -- "$OC" plot --log --linear
expect 2 "plot --width too small" -- "$OC" plot --width 10
expect 2 "plot --width junk" -- "$OC" plot --width wide
expect 2 "plot unknown option" -- "$OC" plot --frobnicate
expect 2 "plot -o without file" -- "$OC" plot -o
expect 2 "plot bad scenario" -- "$OC" plot --scenario nosuch -o "$TMP/x.svg"
expect 3 "plot unwritable output" -- "$OC" plot -o "$TMP/no/such/dir/x.svg"
has "$TMP/err" "cannot create" "unwritable output explained"
expect 2 "plot --var without --compare" -- "$OC" plot --var idle_share
no_temporaries "plot"

# ------------------------------------------------------------------ plot --compare
expect 0 "plot --compare" -- "$OC" plot --compare baseline jump-10x jump-100x --var idle_share -o "$TMP/cmp.svg"
wellformed "$TMP/cmp.svg" "compare chart"
selfcontained "$TMP/cmp.svg" "compare chart"
has "$TMP/cmp.svg" "jump-100x" "every scenario in the legend"
has "$TMP/cmp.svg" "overcapacity threshold" "the threshold is drawn"
has "$TMP/cmp.svg" "peaks at" "the title compares the peaks"
expect 0 "plot --compare default var" -- "$OC" plot --compare baseline jump-2x -o "$TMP/cmp2.svg"
has "$TMP/cmp2.svg" "Idle share" "idle share is the default series"
expect 2 "plot --compare unknown scenario" -- "$OC" plot --compare baseline nosuch -o "$TMP/cmp3.svg"
if [ -e "$TMP/cmp3.svg" ]; then bad "a failed compare wrote a file"; else ok; fi
expect 2 "plot --compare unknown var" -- "$OC" plot --compare baseline --var nosuch
has "$TMP/err" "no variable 'nosuch'" "compare: unknown variable named"
expect 2 "plot --compare nothing" -- "$OC" plot --compare
expect 2 "plot --compare with --vars" -- "$OC" plot --compare baseline --vars capex

# ------------------------------------------------------------------ plot --critical-grid
expect 0 "critical map" -- "$OC" critical --scenario jump-100x --grid jump_1_year=2026:2030:2 \
    --grid demand_price_elasticity=0.8:1.4:2 -o "$TMP/map.csv"
expect 0 "plot the critical map" -- "$OC" plot --critical-grid "$TMP/map.csv" -o "$TMP/map.svg"
wellformed "$TMP/map.svg" "heat map"
selfcontained "$TMP/map.svg" "heat map"
has "$TMP/map.svg" "critical jump F*" "the colour scale is labelled"
has "$TMP/map.svg" "jump 1 year (year)" "axes carry the parameter and its units"
has "$TMP/map.svg" "demand price elasticity" "the second parameter"
printf 'hardware_life_years,critical_factor\n3,263\n4,inf\n5,inf\n' >"$TMP/line.csv"
expect 0 "plot a one-parameter map" -- "$OC" plot --critical-grid "$TMP/line.csv" -o "$TMP/line.svg"
wellformed "$TMP/line.svg" "one-parameter map"
has "$TMP/line.svg" "no jump tried makes a bubble" "infinite points are explained in the title"
printf 'a,b,critical_factor\n1,1,inf\n1,2,inf\n' >"$TMP/allinf.csv"
expect 0 "plot a map without any bubble" -- "$OC" plot --critical-grid "$TMP/allinf.csv" -o "$TMP/allinf.svg"
has "$TMP/allinf.svg" "No jump up to the largest tried" "all infinite: said in the title"
wellformed "$TMP/allinf.svg" "all-infinite map"

# malformed maps: exit 2 with the line named; a missing file: exit 3
printf 'a,b,critical_factor\n' >"$TMP/hdr.csv"
expect 2 "map with a header only" -- "$OC" plot --critical-grid "$TMP/hdr.csv" -o "$TMP/m.svg"
has "$TMP/err" "no grid points" "header only explained"
printf 'a,b,critical_factor\n1,x,5\n' >"$TMP/m1.csv"
expect 2 "map with a bad number" -- "$OC" plot --critical-grid "$TMP/m1.csv" -o "$TMP/m.svg"
has "$TMP/err" "m1.csv:2:" "the line is named"
printf 'a,b,critical_factor\n1,2\n' >"$TMP/m2.csv"
expect 2 "map with a short row" -- "$OC" plot --critical-grid "$TMP/m2.csv" -o "$TMP/m.svg"
has "$TMP/err" "expected 3 fields" "field count explained"
printf 'a,b,critical_factor\n1,2,-4\n' >"$TMP/m3.csv"
expect 2 "map with a negative factor" -- "$OC" plot --critical-grid "$TMP/m3.csv" -o "$TMP/m.svg"
printf 'a,b,critical_factor\n1,2,4\n1,2,5\n' >"$TMP/m4.csv"
expect 2 "map with a repeated point" -- "$OC" plot --critical-grid "$TMP/m4.csv" -o "$TMP/m.svg"
has "$TMP/err" "appears twice" "a repeated point explained"
printf 'just one column\n' >"$TMP/m5.csv"
expect 2 "map with one column" -- "$OC" plot --critical-grid "$TMP/m5.csv" -o "$TMP/m.svg"
head -c 2000 "$OC" >"$TMP/m6.csv"
expect 2 "map that is binary" -- "$OC" plot --critical-grid "$TMP/m6.csv" -o "$TMP/m.svg"
: >"$TMP/m7.csv"
expect 2 "empty map" -- "$OC" plot --critical-grid "$TMP/m7.csv" -o "$TMP/m.svg"
expect 3 "missing map" -- "$OC" plot --critical-grid "$TMP/nosuch.csv" -o "$TMP/m.svg"
if [ -e "$TMP/m.svg" ]; then bad "a malformed map wrote a chart"; else ok; fi
expect 2 "--critical-grid with --compare" -- "$OC" plot --critical-grid "$TMP/map.csv" --compare baseline

# ------------------------------------------------------------------ PNG
expect 2 "--png without -o" -- "$OC" plot --png
# without a converter on PATH: exit 3, a clear message, nothing written
expect 3 "--png without a converter" -- env PATH="$TMP/empty-path" "$OC" plot --png -o "$TMP/nopng.svg"
has "$TMP/err" "librsvg2-bin" "a missing converter is named with its package"
if [ -e "$TMP/nopng.svg" ] || [ -e "$TMP/nopng.png" ]; then bad "--png without a converter wrote files"; else ok; fi
if command -v rsvg-convert >/dev/null 2>&1; then
    expect 0 "--png" -- "$OC" plot --scenario jump-100x --png -o "$TMP/png.svg"
    if [ -s "$TMP/png.png" ] && [ "$(od -A n -t x1 -N 4 "$TMP/png.png" | tr -d ' ')" = "89504e47" ]; then ok
    else bad "--png wrote no PNG next to the SVG"; fi
else
    echo "note: rsvg-convert is not installed; the PNG conversion itself is not tested"
fi
no_temporaries "png"

# ------------------------------------------------------------------ report
expect 0 "report" -- "$OC" report -o "$TMP/report.html"
R="$TMP/report.html"
wellformed "$R" "report"
selfcontained "$R" "report"
hasnt "$R" 'xmlns="http' "report: inline SVG without the namespace URL"
has "$R" "<!DOCTYPE html>" "report: an HTML5 document"
has "$R" '<html lang="en">' "report: a language"
for s in baseline jump-2x jump-10x jump-100x architecture-100x; do
    has "$R" "<h3>$s <span class=\"badge" "report: a section for $s"
done
n_svg=$(grep -c '<svg' "$R")
[ "$n_svg" -eq 9 ] && ok || bad "report: 5 scenario charts and 4 comparison charts, not $n_svg"
# the verdict text is the one `overcap compare` prints
"$OC" compare jump-100x >"$TMP/cmp.txt" 2>&1
v=$(grep '^jump-100x: ' "$TMP/cmp.txt" | head -1 | sed 's/^jump-100x: //' | cut -c 1-40)
[ -n "$v" ] && ok || bad "compare printed no verdict for jump-100x"
has "$R" "$v" "report: the verdict of jump-100x"
has "$R" "<code>overcap report -o $TMP/report.html</code>" "report: the exact command"
has "$R" "Assumptions and sources" "report: the assumptions section"
has "$R" "demand_<wbr/>price_<wbr/>elasticity" "report: the constants"
has "$R" "Sources:" "report: sources of the constants"
has "$R" "adoption lag" "report: each scenario's assumptions text"
has "$R" "max stranded capital" "report: the comparison table"
has "$R" "overcapacity threshold" "report: the idle-share chart with its threshold"
cp "$R" "$TMP/report1.html"
expect 0 "report again" -- "$OC" report -o "$TMP/report.html"
if cmp -s "$R" "$TMP/report1.html"; then ok; else bad "report: same command, different bytes"; fi

expect 0 "report of two scenarios" -- "$OC" report --scenario baseline --scenario jump-100x \
    --set demand_price_elasticity=1.5 -o "$TMP/two.html"
n_art=$(grep -c '<article' "$TMP/two.html")
[ "$n_art" -eq 2 ] && ok || bad "report --scenario twice: 2 articles, not $n_art"
has "$TMP/two.html" "--set demand_price_elasticity=1.5" "report: --set is shown and in the command"
wellformed "$TMP/two.html" "report of two"

# a hostile scenario file: its text is escaped, the page stays well-formed
cat >"$TMP/evil.json" <<'EOF'
{"name": "x<script>alert(1)</script>",
 "description": "a & b </p><script src=\"http://example.invalid/x.js\"></script>",
 "assumptions": "quotes \" and ' and <b>tags</b>",
 "set": {}, "jumps": [{"year": 2027, "factor": 100, "adoption_years": 0.5}],
 "specs": {"start": 2020, "stop": 2040}}
EOF
expect 0 "report of a hostile scenario" -- "$OC" report --scenario "$TMP/evil.json" -o "$TMP/evil.html"
wellformed "$TMP/evil.html" "hostile scenario"
hasnt "$TMP/evil.html" '<script|<b>' "hostile scenario: markup is escaped"
has "$TMP/evil.html" "x&lt;script&gt;" "hostile scenario: its name is shown escaped"

# errors: exit codes, nothing written
# ------------------------------------------------------------------ plot --mc, --tornado
expect 0 "mc results for plot" -- "$OC" mc --samples 640 --quiet -o "$TMP/mcp.json"
expect 0 "plot --mc" -- "$OC" plot --mc "$TMP/mcp.json" -o "$TMP/p.svg"
wellformed "$TMP/p.svg" "plot --mc"
selfcontained "$TMP/p.svg" "plot --mc"
has "$TMP/p.svg" "P(bubble by 2040) = " "plot --mc states P(bubble by the end) in its title"
expect 0 "plot --mc again" -- "$OC" plot --mc "$TMP/mcp.json" -o "$TMP/p2.svg"
expect 3 "plot --mc missing results" -- "$OC" plot --mc "$TMP/none.json" -o "$TMP/p3.svg"
has "$TMP/err" "none.json: cannot open the Monte Carlo results: No such file or directory" "plot --mc: the reason a file cannot be read"
if cmp -s "$TMP/p.svg" "$TMP/p2.svg"; then ok; else bad "plot --mc: the same input gave different bytes"; fi
expect 0 "plot --mc --band" -- "$OC" plot --mc "$TMP/mcp.json" --band compute_capacity -o "$TMP/fan.svg"
wellformed "$TMP/fan.svg" "plot --mc --band"
has "$TMP/fan.svg" "5-95th percentile" "the fan has its bands in the legend"
expect 2 "plot --band unknown" -- "$OC" plot --mc "$TMP/mcp.json" --band warp -o "$TMP/x.svg"
has "$TMP/err" "has no such band (it has: compute_capacity" "plot --band lists the bands"
expect 2 "plot --band without --mc" -- "$OC" plot --band compute_capacity -o "$TMP/x.svg"
expect 2 "plot --mc and --compare" -- "$OC" plot --mc "$TMP/mcp.json" --compare baseline -o "$TMP/x.svg"
printf '{"spec": 3}' >"$TMP/notmc.json"
expect 2 "plot --mc not mc results" -- "$OC" plot --mc "$TMP/notmc.json" -o "$TMP/x.svg"
has "$TMP/err" "not the results of" "plot --mc says what the file is not"
expect 3 "plot --mc missing" -- "$OC" plot --mc "$TMP/none.json" -o "$TMP/x.svg"
if [ -e "$TMP/x.svg" ]; then bad "a failed plot wrote a file"; else ok; fi
expect 0 "sensitivity for plot" -- "$OC" sensitivity --base-samples 64 --bootstrap 50 -o "$TMP/sens.csv"
expect 0 "plot --tornado" -- "$OC" plot --tornado "$TMP/sens.csv" -o "$TMP/t.svg"
wellformed "$TMP/t.svg" "plot --tornado"
top=$(awk -F, 'NR > 1 && $5 > max { max = $5; name = $1 } END { print name }' "$TMP/sens.csv")
has "$TMP/t.svg" "$top drives bubble risk most" "the tornado's title names the largest total effect ($top)"
expect 0 "screening for plot" -- "$OC" sensitivity --screening --base-samples 200 -o "$TMP/scr.csv"
expect 0 "plot --tornado screening" -- "$OC" plot --tornado "$TMP/scr.csv" -o "$TMP/t2.svg"
has "$TMP/t2.svg" "partial rank correlation" "the screening tornado says what its bars are"
printf 'a,b\n1,2\n' >"$TMP/bad.csv"
expect 2 "plot --tornado bad table" -- "$OC" plot --tornado "$TMP/bad.csv" -o "$TMP/x.svg"
has "$TMP/err" "not a table of" "plot --tornado names what it expected"

# --mc: a missing spec stops the report before anything is written
expect 3 "report --mc missing spec" -- "$OC" report --mc "$TMP/nospec.json" -o "$TMP/mc.html"
has "$TMP/err" "nospec.json" "report --mc names the missing spec"
if [ -e "$TMP/mc.html" ]; then bad "report --mc with a bad spec wrote a file"; else ok; fi
expect 2 "report --mc-samples without --mc" -- "$OC" report --mc-samples 10 -o "$TMP/mc.html"
expect 2 "report --mc-samples 0" -- "$OC" report --mc built-in --mc-samples 0 -o "$TMP/mc.html"
if [ -e "$TMP/mc.html" ]; then bad "report --mc-samples 0 wrote a file"; else ok; fi
# the section itself: P(bubble by year), two fans, the jump table, the same
# numbers as `overcap mc` with the same spec and sample count
expect 0 "report --mc built-in" -- "$OC" report --scenario baseline --mc built-in --mc-samples 640 -o "$TMP/mc.html"
wellformed "$TMP/mc.html" "report with --mc"
selfcontained "$TMP/mc.html" "report with --mc"
has "$TMP/mc.html" '<section id="monte-carlo">' "report --mc has the Monte Carlo section"
has "$TMP/mc.html" 'id="mc-p' "report --mc draws P(bubble by year)"
has "$TMP/mc.html" 'id="mc-fan-capacity' "report --mc draws the capacity fan"
has "$TMP/mc.html" "P(bubble) by the largest efficiency jump" "report --mc has the jump table"
expect 0 "mc for comparison" -- "$OC" mc --samples 640 -o "$TMP/mc.json"
want=$(awk '/^P\(bubble by/ { print; exit }' "$TMP/out" | grep -o '[0-9.]*%' | head -1)
if [ -n "$want" ] && grep -q "= $want</strong>" "$TMP/mc.html"; then ok; else bad "report --mc gives P(bubble by the end) = $want as overcap mc does"; fi
no_temporaries "report --mc"
expect 2 "report unknown scenario" -- "$OC" report --scenario nosuch -o "$TMP/bad.html"
if [ -e "$TMP/bad.html" ]; then bad "a failed report wrote a file"; else ok; fi
expect 2 "report unknown option" -- "$OC" report --frobnicate
expect 2 "report --scenario without value" -- "$OC" report --scenario
expect 2 "report --set unknown" -- "$OC" report --set nosuch=1 -o "$TMP/bad.html"
expect 3 "report unwritable" -- "$OC" report -o "$TMP/no/such/dir/r.html"
expect 2 "report of a model without the market's series" -- "$OC" report --model "$DATA/decay.xmile" -o "$TMP/bad.html"
has "$TMP/err" "no constant" "a model without the market's constants is refused"
no_temporaries "report"

finish
