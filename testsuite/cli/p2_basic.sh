# stap -p2 output: globals with types, functions sorted with their locals, overloads,
# probes with their points and locals (golden files in p2/).
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/p2/lib.inc"
check basic
exit 0
