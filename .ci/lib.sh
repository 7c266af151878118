# Helpers for .ci/run and .ci/setup.d/*.sh. Sourced, not run.

step() { printf '\n=== %s\n' "$*"; }

apt_updated=
# apt_install PKG...: installs the Debian packages that are missing, idempotently.
apt_install() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ -z "$apt_updated" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# fuzz_targets runs every fuzz target of the module for $FUZZTIME each (one at a time, as
# go test -fuzz requires). A failure stops CI with the input written to testdata/fuzz.
fuzz_targets() {
	local pkg name n=0
	for pkg in $(go list ./...); do
		for name in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
			echo "--- $pkg $name"
			go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"
			n=$((n + 1))
		done
	done
	echo "$n fuzz targets ran for $FUZZTIME each"
}
