# The module cache: a second identical build skips passes 3 and 4 ("Pass 3: using cached
# KEY.c", "Pass 4: using cached KEY.ko"), --disable-cache builds again, a different -D, a
# changed script argument or STAP_WERROR give a different key, and past cache_mb_limit the
# least recently used entry goes first.
. "$(dirname "$0")/common.inc"
export SYSTEMTAP_DIR=$T/stapdir
C=$SYSTEMTAP_DIR/cache
cd "$T" || exit 1
script='probe begin { println("cached", @1) exit() }'
"$STAP" -v -p4 -r "$RELEASE" -e "$script" a >o1 2>e1 || { cat e1; die "first build"; }
grep -q '^Pass 3: translated to C into' e1 || { cat e1; die "first build did not translate"; }
grep -q '^Pass 4: compiled C into' e1 || { cat e1; die "first build did not compile"; }
"$STAP" -v -p4 -r "$RELEASE" -e "$script" a >o2 2>e2 || die "second build"
key=$(sed -n "s|^Pass 4: using cached $C/\([0-9a-f]*\)\.ko$|\1|p" e2)
[ -n "$key" ] || { cat e2; die "second build not cached"; }
grep -qx "Pass 3: using cached $C/$key.c" e2 || { cat e2; die "no 'Pass 3: using cached'"; }
[ "$(cat o2)" = "stap_${key:0:24}.ko" ] || die "module name $(cat o2) for key $key"
cmp -s "$(cat o1)" "$C/$key.ko" || die "the cached module is not the one built"
"$STAP" -v -p4 --disable-cache -r "$RELEASE" -e "$script" a >o3 2>e3 || die "uncached build"
grep -q '^Pass 4: compiled C into' e3 || die "--disable-cache used the cache"
# new_key WHAT COMMAND...: a -v -p4 build that compiles, into another module
new_key() {
	local what=$1; shift
	"$@" >o4 2>e4 || { cat e4; die "build with $what"; }
	grep -q '^Pass 4: compiled C into' e4 || die "$what must change the key"
	[ "$(cat o4)" != "$(cat o1)" ] || die "same module name with $what"
}
new_key -D "$STAP" -v -p4 -r "$RELEASE" -DMAXACTION=77 -e "$script" a
new_key "another argument" "$STAP" -v -p4 -r "$RELEASE" -e "$script" b
new_key STAP_WERROR env STAP_WERROR=1 "$STAP" -v -p4 -r "$RELEASE" -e "$script" a

# LRU: an old 3 MB entry, and a limit just under what the cache will hold after one more
# module: that build removes the old entry, and nothing else.
head -c 3145728 /dev/zero >"$C/0000old.ko" && echo old >"$C/0000old.c"
touch -d '2 days ago' "$C/0000old.ko"
held=$( { find "$C" -maxdepth 1 -name '*.ko' -printf '%s\n'
	  find "$C/kbuild" \( -name 'runtime-*.o' -o -name 'pch-*.h.gch' \) -printf '%s\n'
	  stat -c %s "$C/$key.ko"; } | awk '{ t += $1 } END { printf "%d", t / 1048576 }')
echo $((held - 1)) >"$C/cache_mb_limit"
before=$(ls "$C"/*.ko "$C"/kbuild/*/runtime-*.o "$C"/kbuild/*/pch-*.gch | grep -v 0000old | sort)
"$STAP" -p4 -r "$RELEASE" -e "$script" c >o6 2>e6 || { cat e6; die "build under the limit"; }
[ ! -e "$C/0000old.ko" ] && [ ! -e "$C/0000old.c" ] || die "the least recently used entry stayed"
for f in $before "$C/$key.c"; do [ -e "$f" ] || die "$f was removed too"; done
ls "$C"/*.ko | grep -qv "$key" || die "the new module is not in the cache"
exit 0
