# The module cache: a second identical build reuses the module ("Pass 4: using cached"),
# --disable-cache builds again, and a different -D gives a different module.
. "$(dirname "$0")/common.inc"
export SYSTEMTAP_DIR=$T/stapdir
cd "$T" || exit 1
script='probe begin { println("cached") exit() }'
"$STAP" -v -p4 -r "$RELEASE" -e "$script" >o1 2>e1 || { cat e1; die "first build"; }
grep -q '^Pass 4: compiled C into' e1 || { cat e1; die "first build did not compile"; }
"$STAP" -v -p4 -r "$RELEASE" -e "$script" >o2 2>e2 || die "second build"
grep -q "^Pass 4: using cached $SYSTEMTAP_DIR/cache/" e2 || { cat e2; die "second build not cached"; }
"$STAP" -v -p4 --disable-cache -r "$RELEASE" -e "$script" >o3 2>e3 || die "uncached build"
grep -q '^Pass 4: compiled C into' e3 || die "--disable-cache used the cache"
"$STAP" -v -p4 -r "$RELEASE" -DMAXACTION=77 -e "$script" >o4 2>e4 || die "-D build"
grep -q '^Pass 4: compiled C into' e4 || die "-D must change the key"
[ "$(cat o1)" = "$(cat o2)" ] && [ "$(cat o1)" != "$(cat o4)" ] || die "module names: $(cat o1 o2 o4)"
exit 0
