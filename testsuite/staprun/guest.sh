#!/bin/sh
# guest.sh - the VM half of testsuite/staprun/run.sh: runs as root in /work of a stap-vm
# guest (busybox), holding staprun, stapio, seqcheck, tmod.ko (testsuite/staprun/tmod.stp)
# and the broken modules. Prints "ok NAME" or "FAIL NAME: why" per check.
#
# guest.sh OVERFLOW_TOTAL   (the bytes tmod.ko prints with lines=300000)
OVERFLOW_TOTAL=$1
R=$(uname -r)
SR=/work/staprun
M=/work/tmod.ko
SC=/work/seqcheck
T=/tmp/t
SYSDIR=/lib/modules/$R/systemtap
mkdir -p $T $SYSDIR

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
# check NAME WHY-IF-FALSE COMMAND...: ok when COMMAND succeeds.
check() {
	n=$1 why=$2
	shift 2
	if "$@"; then ok "$n"; else fail "$n" "$why"; fi
}
has() { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }
oneline() { head -c 300 "$1" | tr '\n' '|'; }
loaded() { [ -e "/sys/module/$1" ]; }
gone() {
	i=0
	while [ -e "/sys/module/$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ ! -e "/sys/module/$1" ]
}
cleanup() { $SR -d '*' >/dev/null 2>&1; }

# runt SECS CMD...: runs CMD; SIGINT after SECS, SIGKILL 10 s later. Returns its status.
runt() {
	t=$1
	shift
	"$@" &
	rp=$!
	(sleep "$t"; kill -INT $rp 2>/dev/null; sleep 10; kill -KILL $rp 2>/dev/null) &
	rd=$!
	wait $rp
	rrc=$?
	kill $rd 2>/dev/null
	return $rrc
}
# bg OUT ERR CMD...: starts CMD in the background (pid in $BG) with a 120 s watchdog.
bg() {
	o=$1 e=$2
	shift 2
	rm -f "$o" "$e"         # so that nobody waits for stale output
	"$@" >"$o" 2>"$e" &
	BG=$!
	(sleep 120; kill -INT $BG 2>/dev/null; sleep 10; kill -KILL $BG 2>/dev/null) &
	BGDOG=$!
}
bgwait() {
	wait $BG
	BGRC=$?
	kill $BGDOG 2>/dev/null
	return $BGRC
}
# waitfor FILE TEXT [SECS]: until FILE contains TEXT.
waitfor() {
	i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		[ $i -ge $((${3:-30} * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}
# seqok WANT [-a] FILE...: seqcheck's summary of the files contains WANT.
seqok() {
	w=$1
	shift
	SEQ=$($SC "$@")
	case "$SEQ" in *"$w"*) return 0 ;; esac
	return 1
}

# ------------------------------------------------------------------ options
$SR -h >$T/o 2>$T/e
rc=$?
check help "rc $rc: $(oneline $T/o)" eval '[ $rc = 0 ] && has $T/o "Usage: staprun" && has $T/o "-S SIZE"'
$SR --help >$T/o 2>&1
check help-long "$(oneline $T/o)" has $T/o "Usage: staprun"
$SR -V >$T/o 2>&1
check version "$(oneline $T/o)" has $T/o "version"
$SR -Q $M >$T/o 2>$T/e
rc=$?
check bad-option "rc $rc" eval '[ $rc = 1 ] && has $T/e Usage && ! loaded tmod'

runt 60 $SR $M lines=10 >$T/o 2>$T/e
rc=$?
printf 'begin tag=none target=0\n' >$T/want
i=0
while [ $i -lt 10 ]; do echo "L $i" >>$T/want; i=$((i + 1)); done
echo end >>$T/want
check exit-in-begin "rc $rc, stdout $(oneline $T/o) stderr $(oneline $T/e)" \
	eval '[ $rc = 0 ] && cmp -s $T/o $T/want && [ ! -s $T/e ] && gone tmod'

runt 60 $SR $M ctx=1 >$T/o 2>$T/e
check probe-context "$(oneline $T/o)" eval '[ "$(grep -c "^ctx stapio$" $T/o)" = 2 ]'
runt 60 $SR $M tag=hello >$T/o 2>$T/e
check param "$(oneline $T/o) $(oneline $T/e)" has $T/o "begin tag=hello target=0"
runt 60 $SR $M "tag=a b c" >$T/o 2>$T/e
check param-spaces "$(oneline $T/o) $(oneline $T/e)" has $T/o "begin tag=a b c target=0"
runt 60 $SR $M _stp_uid=5 >$T/o 2>$T/e
rc=$?
check param-reserved "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e reserved && ! loaded tmod'
runt 60 $SR $M tag >$T/o 2>$T/e
rc=$?
check param-malformed "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e NAME=VALUE && ! loaded tmod'

runt 60 $SR -o $T/of $M lines=5 >$T/o 2>$T/e
rc=$?
check output-file "rc $rc $(oneline $T/of)" eval '[ $rc = 0 ] && [ ! -s $T/o ] && has $T/of "L 4" && has $T/of end'
rm -f $T/st-*
runt 60 $SR -o "$T/st-%Y" $M >$T/o 2>$T/e
check output-strftime "$(ls $T)" eval 'ls $T/st-2* >/dev/null 2>&1 && ! ls $T/st-%Y >/dev/null 2>&1'

runt 60 $SR $M fail=1 >$T/o 2>$T/e
rc=$?
check script-error "rc $rc, stderr $(oneline $T/e)" \
	eval '[ $rc = 1 ] && has $T/e "ERROR: boom" && has $T/o begin && hasnt $T/o end && gone tmod'

runt 60 $SR $M warns=3 >$T/o 2>$T/e
check warnings "$(oneline $T/e)" has $T/e "WARNING: warning 2"
runt 60 $SR -w $M warns=3 >$T/o 2>$T/e
check no-warnings-w "$(oneline $T/e)" eval 'hasnt $T/e WARNING && has $T/o end'
runt 60 $SR -v $M >$T/o 2>$T/e
check verbose "$(oneline $T/e)" has $T/e "module tmod loaded"
runt 60 $SR -C always $M fail=1 >$T/o 2>$T/e
check color-always "$(oneline $T/e)" eval 'grep -q "$(printf "\033")\[" $T/e'
runt 60 $SR -C never $M fail=1 >$T/o 2>$T/e
check color-never "$(oneline $T/e)" eval '! grep -q "$(printf "\033")" $T/e && has $T/e "ERROR: boom"'
$SR -C sometimes $M >$T/o 2>$T/e
rc=$?
check color-bad "rc $rc" eval '[ $rc = 1 ] && ! loaded tmod'
runt 60 $SR -T 20 $M lines=2000 >$T/o 2>$T/e
check poll-timeout "$(oneline $T/e)" seqok "seq=2000 other=2 bad=0" $T/o

runt 60 $SR -x 4242 $M >$T/o 2>$T/e
check target-x "$(oneline $T/o)" has $T/o "target=4242"
runt 60 $SR -c "echo \$\$ >$T/cpid; sleep 1" $M stop=0 endlines=100 >$T/o 2>$T/e
rc=$?
check target-c "rc $rc, cpid $(cat $T/cpid 2>/dev/null), stdout $(oneline $T/o)" \
	eval '[ $rc = 0 ] && grep -qx "begin tag=none target=$(cat $T/cpid)" $T/o && seqok "seq=100 other=2 bad=0 " $T/o && gone tmod'
runt 60 $SR -c true $M stop=0 >$T/o 2>$T/e
rc=$?
check target-c-quick "rc $rc $(oneline $T/o)" eval '[ $rc = 0 ] && has $T/o end && gone tmod'

# ------------------------------------------------------------------ exit paths
for sig in INT TERM HUP; do
	bg $T/o $T/e $SR $M stop=0 endlines=20000
	waitfor $T/o begin
	kill -$sig $BG
	bgwait
	rc=$?
	check signal-$sig "rc $rc, $(oneline $T/e) $($SC $T/o)" \
		eval '[ $rc = 0 ] && seqok "seq=20000 other=2 bad=0 " $T/o && gone tmod'
done

# The end probe spins until released (15 s at most, under the soft-lockup limit), so a
# slow guest can't let it finish before the second SIGINT lands.
bg $T/o $T/e $SR -vv $M stop=0 endms=15000
waitfor $T/o begin
kill -INT $BG
waitfor $T/e "stopping the script"
sleep 0.5
kill -INT $BG
waitfor $T/e "second interrupt" 15
echo 1 >/sys/module/tmod/parameters/release
bgwait
rc=$?
check second-sigint "rc $rc, $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "second interrupt" && gone tmod'

bg $T/o $T/e $SR $M stop=0 endlines=10
waitfor $T/o begin
kill -QUIT $BG
bgwait
rc=$?
check sigquit-detach "rc $rc, $(oneline $T/e)" eval '[ $rc = 0 ] && has $T/e Detached && loaded tmod'
bg $T/o $T/e $SR -A tmod
sleep 1
kill -INT $BG
bgwait
rc=$?
check reattach "rc $rc, $(oneline $T/o) $(oneline $T/e)" eval '[ $rc = 0 ] && has $T/o "E 9" && gone tmod'
cleanup

runt 60 sh -c "$SR $M lines=300000 | head -n 1 >$T/ep" 2>$T/e
check stdout-closed "$(oneline $T/ep) $(oneline $T/e)" eval 'has $T/ep begin && gone tmod'

# ------------------------------------------------------------------ -L -A -d -R -b -D -S
runt 60 $SR -L $M stop=0 lines=1000 >$T/o 2>$T/e
rc=$?
check load-detach "rc $rc, $(oneline $T/o) $(oneline $T/e)" eval '[ $rc = 0 ] && [ "$(cat $T/o)" = tmod ] && loaded tmod'
bg $T/o $T/e $SR -A tmod
waitfor $T/o "L 999"
$SR -A tmod >$T/o2 2>$T/e2
rc=$?
check attach-busy "rc $rc, $(oneline $T/e2)" eval '[ $rc = 1 ] && has $T/e2 "another stapio is attached"'
kill -INT $BG
bgwait
rc=$?
check attach "rc $rc, $(oneline $T/e) $($SC $T/o)" eval '[ $rc = 0 ] && seqok "seq=1000 other=2 bad=0 " $T/o && gone tmod'

runt 60 $SR -L $M stop=0 >$T/o 2>$T/e
runt 60 $SR $M >$T/o 2>$T/e
rc=$?
check already-loaded "rc $rc, $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "already loaded"'
$SR -d tmod >$T/o 2>$T/e
rc=$?
check delete "rc $rc, $(oneline $T/e)" eval '[ $rc = 0 ] && gone tmod'
$SR -d nosuchmod >$T/o 2>$T/e
rc=$?
check delete-missing "rc $rc, $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "not loaded"'

runt 60 $SR -L -R $M stop=0 >$T/n1 2>$T/e
runt 60 $SR -L -R $M stop=0 >$T/n2 2>>$T/e
n1=$(cat $T/n1) n2=$(cat $T/n2)
check rename "names '$n1' '$n2', $(oneline $T/e)" \
	eval '[ -n "$n1" ] && [ -n "$n2" ] && [ "$n1" != "$n2" ] && [ "$n1" != tmod ] && loaded "$n1" && loaded "$n2" && ! loaded tmod'
$SR -d '*' >$T/o 2>$T/e
check delete-all "$(oneline $T/e)" eval '! loaded "$n1" && ! loaded "$n2"'
# Two copies at once, each with a reader and a writer on its own CPU.
bg $T/r1 $T/re1 $SR -R -b 4 $M lines=200000
B1=$BG D1=$BGDOG
bg $T/r2 $T/re2 $SR -R -b 4 $M lines=200000
wait $B1
rc1=$?
kill $D1 2>/dev/null
bgwait
rc2=$?
check rename-concurrent "rc $rc1 $rc2, $($SC $T/r1) / $($SC $T/r2) $(oneline $T/re1)" \
	eval '[ $rc1 = 0 ] && [ $rc2 = 0 ] && seqok "seq=200000 other=2 bad=0 " $T/r1 && seqok "seq=200000 other=2 bad=0 " $T/r2'
rm -f $T/r1 $T/r2

runt 60 $SR -L -b 3 $M stop=0 >$T/o 2>$T/e
check bufsize "$(cat /sys/module/tmod/parameters/_stp_bufsize 2>&1) $(oneline $T/e)" \
	eval '[ "$(cat /sys/module/tmod/parameters/_stp_bufsize)" = 3 ]'
cleanup
$SR -b 0 $M >$T/o 2>$T/e
rc0=$?
$SR -b 5000 $M >$T/o 2>>$T/e
rc1=$?
check bufsize-range "rc $rc0 $rc1, $(oneline $T/e)" eval '[ $rc0 = 1 ] && [ $rc1 = 1 ] && has $T/e "-b wants" && ! loaded tmod'

# Overflow: 300000 lines into a 1 MB buffer nobody reads (-L); what arrives is whole
# lines, and arrived + reported lost = everything.
runt 60 $SR -L -b 1 $M stop=0 lines=300000 >$T/o 2>$T/e
bg $T/o $T/e $SR -A tmod
waitfor $T/o "L 1000"
sleep 1
kill -INT $BG
bgwait
rc=$?
lost=$(sed -n 's/.*There were \([0-9]*\) bytes of output lost.*/\1/p' $T/e)
got=$(wc -c <$T/o)
check overflow "rc $rc, got $got + lost ${lost:-?} vs $OVERFLOW_TOTAL, $($SC $T/o), $(oneline $T/e)" \
	eval '[ $rc = 0 ] && [ -n "$lost" ] && [ $((got + lost)) = $OVERFLOW_TOTAL ] && seqok "other=2 bad=0 " $T/o && [ "$(tail -n 1 $T/o)" = end ] && gone tmod'

runt 30 $SR -D -o $T/dout $M stop=0 >$T/o 2>$T/e
rc=$?
dpid=$(cat $T/o)
waitfor $T/dout begin 20
alive=no
kill -0 "$dpid" 2>/dev/null && alive=yes
kill -TERM "$dpid" 2>/dev/null
i=0
while kill -0 "$dpid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
check daemon "rc $rc, pid '$dpid' alive $alive, $(oneline $T/dout) $(oneline $T/e)" \
	eval '[ $rc = 0 ] && [ $alive = yes ] && ! kill -0 "$dpid" 2>/dev/null && has $T/dout end && gone tmod'
$SR -D $M >$T/o 2>$T/e
rc=$?
check daemon-needs-o "rc $rc" eval '[ $rc = 1 ] && has $T/e "needs -o" && ! loaded tmod'

rm -rf $T/sw
mkdir -p $T/sw
runt 90 $SR -b 8 -S 1,3 -o $T/sw/out $M lines=400000 >$T/o 2>$T/e
rc=$?
files=$(cd $T/sw && ls | tr '\n' ' ')
sizes_ok=yes
for f in $T/sw/*; do
	[ "$(wc -c <"$f")" -le 1048576 ] || sizes_ok=no
	$SC -a "$f" >/dev/null || sizes_ok=no
done
check switch-files "rc $rc, files $files, sizes/lines $sizes_ok, $($SC -a $T/sw/out.1 $T/sw/out.2 $T/sw/out.3 2>&1)" \
	eval '[ $rc = 0 ] && [ "$files" = "out.1 out.2 out.3 " ] && [ $sizes_ok = yes ] && seqok "bad=0 " -a $T/sw/out.1 $T/sw/out.2 $T/sw/out.3 && seqok "-399999" -a $T/sw/out.1 $T/sw/out.2 $T/sw/out.3 && [ "$(tail -n 1 $T/sw/out.3)" = end ]'
rm -rf $T/sw

rm -f $T/u2 $T/u2.1
bg $T/o $T/e $SR -o $T/u2 $M stop=0
waitfor $T/u2 begin
kill -USR2 $BG
i=0
while [ ! -e $T/u2.1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $BG
bgwait
rc=$?
check sigusr2-switch "rc $rc, $(oneline $T/u2) / $(oneline $T/u2.1 2>&1)" \
	eval '[ $rc = 0 ] && has $T/u2 begin && hasnt $T/u2 end && has $T/u2.1 end'

# ------------------------------------------------------------------ volume
runt 120 $SR -b 16 -o $T/big $M lines=1000000 >$T/o 2>$T/e
rc=$?
check million-lines "rc $rc, $($SC $T/big) $(oneline $T/e)" \
	eval '[ $rc = 0 ] && seqok "seq=1000000 other=2 bad=0 " $T/big && [ ! -s $T/e ]'
rm -f $T/big

ncpu=$(grep -c ^processor /proc/cpuinfo)
bg $T/o $T/e $SR -b 32 -o $T/mc $M stop=0 tlines=250000
waitfor $T/mc begin
echo 1 >/sys/module/tmod/parameters/spawn
bgwait
rc=$?
want=""
c=0
while [ $c -lt $ncpu ]; do want="$want T$c:0-249999"; c=$((c + 1)); done
SEQ=$($SC $T/mc)
keys_ok=yes
for k in $want; do case "$SEQ" in *"$k"*) ;; *) keys_ok=no ;; esac; done
check multi-cpu "rc $rc, $ncpu cpus, $SEQ, $(oneline $T/e)" \
	eval '[ $rc = 0 ] && [ $ncpu -ge 2 ] && [ $keys_ok = yes ] && seqok "seq=$((ncpu * 250000)) other=2 bad=0 " $T/mc && [ ! -s $T/e ] && gone tmod'
rm -f $T/mc

# ------------------------------------------------------------------ load failures
$SR /no/such/file.ko >$T/o 2>$T/e
rc=$?
check load-missing "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "Couldn'"'"'t open module"'
$SR /work/notelf.ko >$T/o 2>$T/e
rc=$?
check load-not-elf "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "not an ELF file"'
$SR /work/trunc.ko >$T/o 2>$T/e
rc=$?
check load-truncated "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "corrupt ELF"'
$SR /work/foreign.ko >$T/o 2>$T/e
rc=$?
check load-other-kernel "rc $rc $(oneline $T/e)" \
	eval '[ $rc = 1 ] && has $T/e "Invalid module format: it was built for kernel 6.1.0-99" && ! loaded tmod'
$SR /work/unksym.ko >$T/o 2>$T/e
rc=$?
check load-unknown-symbol "rc $rc $(oneline $T/e)" \
	eval '[ $rc = 1 ] && has $T/e "Unknown symbol in module" && has $T/e dmesg && dmesg | grep -q "Unknown symbol" && ! loaded tmod'
cp $M $SYSDIR/tmod.ko
chmod 644 $SYSDIR/tmod.ko
runt 60 $SR tmod lines=3 >$T/o 2>$T/e
check load-by-name "$(oneline $T/o) $(oneline $T/e)" has $T/o "L 2"

# ------------------------------------------------------------------ privileges
# (this busybox has no adduser/addgroup)
id=1001
for u in plain usr1 dev1; do
	echo "$u:x:$id:$id::/tmp/$u:/bin/sh" >>/etc/passwd
	echo "$u:x:$id:" >>/etc/group
	mkdir -p /tmp/$u
	chown $u /tmp/$u
	id=$((id + 1))
done
echo "stapusr:x:2001:usr1" >>/etc/group
echo "stapdev:x:2002:dev1" >>/etc/group
chmod 4755 $SR
as() { u=$1; shift; su -s /bin/sh "$u" -c "$*"; }
uid_usr1=$(id -u usr1)
cp $M /tmp/usr1/tmod.ko
cp $M /tmp/dev1/tmod.ko
chown usr1 /tmp/usr1/tmod.ko
chown dev1 /tmp/dev1/tmod.ko

runt 60 as plain "$SR $M" >$T/o 2>$T/e
rc=$?
check priv-nogroup "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e stapusr && ! loaded tmod'
runt 60 as usr1 "$SR /tmp/usr1/tmod.ko" >$T/o 2>$T/e
rc=$?
check priv-stapusr-path "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "may only run modules in" && ! loaded tmod'
runt 60 as usr1 "cd /tmp/usr1 && $SR -o out -c 'id -u >cid' tmod stop=0 lines=5" >$T/o 2>$T/e
rc=$?
check priv-stapusr-installed "rc $rc, $(oneline /tmp/usr1/out) $(oneline $T/e)" \
	eval '[ $rc = 0 ] && has /tmp/usr1/out "L 4" && has /tmp/usr1/out end && gone tmod'
check priv-output-owner "$(ls -l /tmp/usr1/out)" eval '[ "$(stat -c %U /tmp/usr1/out)" = usr1 ]'
check priv-session-unprivileged "cid $(cat /tmp/usr1/cid 2>&1)" eval '[ "$(cat /tmp/usr1/cid)" = $uid_usr1 ]'
# The session process keeps no privilege: real, effective, saved and fs uid all usr1's.
bg $T/o $T/e su -s /bin/sh usr1 -c "exec $SR tmod stop=0"
waitfor $T/o begin
uids=$(sed -n 's/^Uid:[[:space:]]*//p' /proc/$BG/status | tr -s ' \t' ' ')
kill -INT $BG
bgwait
check priv-session-uids "uids '$uids'" eval '[ "$uids" = "$uid_usr1 $uid_usr1 $uid_usr1 $uid_usr1" ]'
runt 60 as usr1 "$SR tmod _stp_uid=0" >$T/o 2>$T/e
rc=$?
check priv-stapusr-reserved "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e reserved && ! loaded tmod'
cp $M $SYSDIR/tmodw.ko
chmod 666 $SYSDIR/tmodw.ko
runt 60 as usr1 "$SR tmodw" >$T/o 2>$T/e
rc=$?
check priv-stapusr-writable "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "not writable by group or others" && ! loaded tmod'
rm -f $SYSDIR/tmodw.ko
runt 60 $SR -L $M stop=0 >$T/o 2>$T/e
runt 60 as usr1 "$SR -d tmod" >$T/o 2>$T/e
rc=$?
check priv-stapusr-delete-other "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "loaded by uid 0" && loaded tmod'
runt 60 as usr1 "$SR -A tmod" >$T/o 2>$T/e
rc=$?
check priv-stapusr-attach-other "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && loaded tmod'
cleanup
runt 60 as usr1 "$SR -L tmod stop=0" >$T/o 2>$T/e
runt 60 as plain "$SR -d tmod" >$T/o2 2>$T/e2
rc=$?
runt 60 as usr1 "$SR -d tmod" >$T/o3 2>$T/e3
rc3=$?
check priv-stapusr-own-module "rc $rc $rc3, $(oneline $T/o) $(oneline $T/e2) $(oneline $T/e3)" \
	eval '[ "$(cat $T/o)" = tmod ] && [ $rc = 1 ] && [ $rc3 = 0 ] && gone tmod'
cleanup

runt 60 as dev1 "$SR /tmp/dev1/tmod.ko lines=5" >$T/o 2>$T/e
rc=$?
check priv-stapdev-path "rc $rc $(oneline $T/o) $(oneline $T/e)" eval '[ $rc = 0 ] && has $T/o "L 4" && gone tmod'
cp $M /root/secret.ko
chmod 600 /root/secret.ko
chmod 700 /root
runt 60 as dev1 "$SR /root/secret.ko" >$T/o 2>$T/e
rc=$?
check priv-opened-as-user "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "Permission denied" && ! loaded tmod'
runt 60 as dev1 "$SR -o /root/out /tmp/dev1/tmod.ko" >$T/o 2>$T/e
rc=$?
check priv-output-as-user "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "Couldn'"'"'t open output file" && [ ! -e /root/out ] && gone tmod'
mkdir -p /tmp/plainbin
cp $SR /work/stapio /tmp/plainbin/
chmod 755 /tmp/plainbin/staprun
runt 60 as dev1 "/tmp/plainbin/staprun /tmp/dev1/tmod.ko" >$T/o 2>$T/e
rc=$?
check priv-not-setuid "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "needs root" && ! loaded tmod'
bg $T/o $T/e su -s /bin/sh dev1 -c "exec $SR /tmp/dev1/tmod.ko stop=0 endlines=10"
waitfor $T/o begin
as dev1 "kill -INT $BG"
bgwait
rc=$?
check priv-user-signal "rc $rc, $(oneline $T/o) $(oneline $T/e)" eval '[ $rc = 0 ] && has $T/o "E 9" && gone tmod'
chmod 755 $SR
cleanup

# ------------------------------------------------------------------ kernel policies (last:
# neither can be undone)
if echo 1 >/sys/module/module/parameters/sig_enforce 2>/dev/null; then
	$SR $M >$T/o 2>$T/e
	rc=$?
	check load-signature "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "signature" && ! loaded tmod'
else
	fail load-signature "cannot set module.sig_enforce"
fi
echo 1 >/proc/sys/kernel/modules_disabled
$SR $M >$T/o 2>$T/e
rc=$?
check load-disabled "rc $rc $(oneline $T/e)" eval '[ $rc = 1 ] && has $T/e "modules_disabled" && ! loaded tmod'
echo "guest done"
