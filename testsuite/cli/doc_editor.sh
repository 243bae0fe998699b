# Bash completion (completion/stap) and the Vim syntax (editor/vim): the completion file
# parses, completes every option --help lists, option arguments and probe points (asking
# stap -l); Vim recognises .stp files and highlights the main constructs.
. "$(dirname "$0")/common.inc"
COMP=$TOP/completion/stap
bash -n "$COMP" || die "completion/stap does not parse"

# complete WORD... : run _stap (or _staprun) as bash would for the last word; prints
# COMPREPLY one per line.
cat >"$T/complete.sh" <<'EOF'
source "$1"; shift
fn=$1; shift
COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
"$fn"
printf '%s\n' "${COMPREPLY[@]}"
EOF
complete() { bash "$T/complete.sh" "$COMP" "$@" 2>"$T/cerr"; }

complete _stap "$STAP" - >"$T/opts"
for opt in $("$STAP" --help | grep -oE '^ +--?[A-Za-z][A-Za-z-]*' | tr -d ' ' | sort -u); do
	grep -qE -- "^$opt=?\$" "$T/opts" || die "completion of '-' lacks $opt: $(tr '\n' ' ' <"$T/opts")"
done
complete _stap "$STAP" --dump-f >"$T/o"
[ "$(cat "$T/o")" = "--dump-functions" ] || die "--dump-f completes to: $(cat "$T/o")"
complete _stap "$STAP" -p "" >"$T/o"
[ "$(tr '\n' ' ' <"$T/o")" = "1 2 3 4 5 " ] || die "-p completes to: $(cat "$T/o")"
complete _stap "$STAP" --privilege = stapu >"$T/o"
[ "$(cat "$T/o")" = "stapusr" ] || die "--privilege=stapu completes to: $(cat "$T/o")"
complete _stap "$STAP" -r "" >"$T/o"
expect_in "$RELEASE" "$T/o"

# Probe points: families and aliases, then names inside ("...") from stap -l.
complete _stap "$STAP" -l time >"$T/o"
expect_in "timer.ms(" "$T/o"
complete _stap "$STAP" -l netdev.rec >"$T/o"
[ "$(cat "$T/o")" = "netdev.receive" ] || die "netdev.rec completes to: $(cat "$T/o")"
complete _stap "$STAP" -r "$RELEASE" -l 'kernel.function("vfs_rea' >"$T/o"
expect_in 'kernel.function("vfs_read")' "$T/o"
grep -qv '^kernel.function("vfs_rea' "$T/o" && die "non-matching completions: $(cat "$T/o")"
complete _stap "$STAP" -r "$RELEASE" -L "'kernel.trace(\"sched_process_ex" >"$T/o"
expect_in "'kernel.trace(\"sched_process_exec\")" "$T/o"
complete _staprun "$TOP/staprun/staprun" - >"$T/o"
for opt in -o -c -x -b -L -A -d -D -R -S -T -C -V --help; do
	grep -qx -- "$opt" "$T/o" || die "staprun completion lacks $opt"
done

# Vim: filetype detection and a few highlight groups, checked with Vim itself.
if command -v vim >/dev/null; then
	cat >"$T/s.stp" <<'EOF'
# a comment
global hits
probe kernel.function("vfs_read").return { hits[$1] <<< $return printf("%d\n", @1) }
function f:long() %{ STAP_RETVALUE = 1; %}
EOF
	cat >"$T/check.vim" <<EOF
filetype on
syntax on
edit $T/s.stp
let out = [&filetype]
for pat in ['# a', 'global', 'kernel', '\$return', '<<<', '%d', 'STAP_RETVALUE', '@1', '"vfs_read"']
  call cursor(1, 1)
  let [l, c] = searchpos('\\V' . pat, 'cW')
  call add(out, pat . '=' . synIDattr(synID(l, c, 1), 'name'))
endfor
call writefile(out, '$T/syn.out')
qa!
EOF
	vim -Es -N -u NONE -i NONE --cmd "set rtp^=$TOP/editor/vim" -S "$T/check.vim" </dev/null ||
		die "vim failed on the syntax file"
	printf '%s\n' stap '# a=stapComment' global=stapDecl kernel=stapProbeFamily \
		'$return=stapTarget' '<<<=stapOperator' '%d=stapFormat' 'STAP_RETVALUE=stapEmbedded' \
		'@1=stapArgument' '"vfs_read"=stapString' >"$T/syn.want"
	diff "$T/syn.want" "$T/syn.out" || die "Vim highlighting differs (want, got)"
else
	echo "(vim not installed: syntax check skipped)"
fi
exit 0
