#!/bin/bash
# build.sh [RELEASE] - builds the run tests' kernel module (stp_testmod.c) against the kbuild
# tree of RELEASE (default 6.1.0-56-cloud-amd64) once, and prints the path of the .ko.
#
# The module is cached in $STAP_TESTMOD_CACHE (default ~/.cache/stap-testsuite/modules),
# in a folder named after the release and a hash of the sources, so a later call reuses it
# and a changed source builds a new one. The build happens in that folder (its DWARF names
# the sources there), under a lock against parallel calls. Exit status 1, with kbuild's
# messages on stderr, if the build fails.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
release=${1:-6.1.0-56-cloud-amd64}
kbuild=/lib/modules/$release/build
cache=${STAP_TESTMOD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stap-testsuite/modules}

[ -d "$kbuild" ] || { echo "build.sh: no kbuild tree $kbuild" >&2; exit 1; }
hash=$(cat "$here/stp_testmod.c" "$here/Kbuild" | sha256sum | cut -c1-16)
dir=$cache/$release-$hash
ko=$dir/stp_testmod.ko
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$ko" ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$here/stp_testmod.c" "$here/Kbuild" "$dir/"
	if ! make -s -C "$kbuild" M="$dir" modules >"$dir/build.log" 2>&1 || [ ! -f "$ko" ]; then
		cat "$dir/build.log" >&2
		rm -rf "$dir"
		exit 1
	fi
fi
echo "$ko"
