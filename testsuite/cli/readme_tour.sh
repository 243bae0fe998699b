# Every command of README.md's tour is exercised. Each `translator/stap ...` line in the
# tour's sh blocks is run up to pass 2 here (-l/-L as they are, since they stop there);
# each one that runs a script in the VM (--remote=qemu) must have a twin run test,
# testsuite/runok/readme_*.stp, carrying the line "# README: COMMAND" verbatim, with the
# same script (the -e text, or the script file's code), the same arguments (stap-args)
# and -g in stap-opts when the command has it. The run tests execute the twins in the VM.
. "$(dirname "$0")/common.inc"
cd "$TOP" || die "no $TOP"

# The tour: from its heading to the next one; commands inside ```sh blocks.
awk '/^## A five-minute tour/ { on = 1; next } /^## / { on = 0 }
     on && /^```sh/ { blk = 1; next } on && /^```/ { blk = 0; next }
     on && blk && /^translator\/stap / { print }' README.md >"$T/cmds"
n=$(wc -l <"$T/cmds")
[ "$n" -ge 8 ] || die "only $n tour commands found in README.md"
# The tour shows what the README promises.
for want in " -e '" "examples/countdown.stp 3" " -L '" "readsize.stp" " -g " "--remote=qemu" " -p2 " " -p4 "; do
	grep -qF -- "$want" "$T/cmds" || die "the tour has no command with '$want'"
done

# Non-comment lines of a script, leading/trailing blank lines dropped.
code() { grep -v '^[[:space:]]*#' "$1" | sed -e '/./,$!d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'; }

vm=0
while IFS= read -r cmd; do
	case $cmd in *'`'*|*'$('*) die "tour command with shell substitution: $cmd" ;; esac
	eval "set -- ${cmd#translator/stap }"
	# Split the words: stap options, then the script (-e text or file) and its arguments.
	opts=() script= file= args=() listing=0 remote=0 guru=0
	while [ $# -gt 0 ]; do
		case $1 in
		-e) script=$2; shift 2; args=("$@"); break ;;
		-l|-L) listing=1; opts+=("$1" "$2"); shift 2 ;;
		--remote=qemu*) remote=1; opts+=("$1"); shift ;;
		-g) guru=1; opts+=("$1"); shift ;;
		-[rmIDBoxc]) opts+=("$1" "$2"); shift 2 ;;
		-*) opts+=("$1"); shift ;;
		*) file=$1; shift; args=("$@"); break ;;
		esac
	done
	# Pass 2 here (the kernel the VM boots, for DWARF-based probe points).
	if [ $listing = 1 ]; then
		"$STAP" "${opts[@]}" >"$T/out" 2>"$T/err" || die "tour command fails: $cmd: $(head -5 "$T/err")"
		[ -s "$T/out" ] || die "tour listing prints nothing: $cmd"
	else
		p2=()
		for o in "${opts[@]}"; do
			case $o in --remote=*|-p[0-9]|-v) ;; *) p2+=("$o") ;; esac
		done
		case " ${p2[*]} " in *" -r "*) ;; *) p2+=(-r "$RELEASE") ;; esac
		if [ -n "$script" ]; then
			"$STAP" -p2 "${p2[@]}" -e "$script" "${args[@]}" >/dev/null 2>"$T/err"
		else
			"$STAP" -p2 "${p2[@]}" "$file" "${args[@]}" >/dev/null 2>"$T/err"
		fi || die "tour command fails at -p2: $cmd: $(head -5 "$T/err")"
	fi
	[ $remote = 1 ] && [ $listing = 0 ] || continue

	# Its twin in the run tests.
	twin=$(grep -lxF -- "# README: $cmd" testsuite/runok/readme_*.stp 2>/dev/null | head -1)
	[ -n "$twin" ] || die "no testsuite/runok/readme_*.stp has '# README: $cmd'"
	if [ -n "$script" ]; then
		printf '%s\n' "$script" >"$T/want"
	else
		code "$file" >"$T/want"
	fi
	code "$twin" >"$T/got"
	diff "$T/want" "$T/got" >"$T/diff" || die "$twin's script differs from the README's: $(cat "$T/diff")"
	twin_args=$(sed -n 's/^# stap-args: *//p' "$twin")
	[ "$twin_args" = "${args[*]}" ] || die "$twin: stap-args '$twin_args', README passes '${args[*]}'"
	if [ $guru = 1 ]; then
		grep -q '^# stap-opts:.*-g' "$twin" || die "$twin: the README command uses -g, the twin does not"
	fi
	grep -q '^# EXPECT' "$twin" || die "$twin checks no output"
	vm=$((vm + 1))
done <"$T/cmds"
[ "$vm" -ge 5 ] || die "only $vm tour commands run in the VM"
echo "$n tour commands compile; $vm have run tests"
exit 0
