# stap -p2 output for probe aliases: derivation chains, prologues and epilogues,
# optional/sufficient targets, conditions, wildcards, suffixes; library functions,
# globals and macros (golden files in p2/).
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/p2/lib.inc"
check aliases
check user_aliases
exit 0
