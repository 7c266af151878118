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
# go test -fuzz requires). A finding stops CI with the input written to testdata/fuzz. When
# the fuzz engine itself runs out of time (it answers "context deadline exceeded" when its
# baseline of a large corpus does not finish within a short -fuzztime on a busy machine, with
# no failing input), the target runs once more for 20s.
fuzz_targets() {
	local pkg name n=0 out
	for pkg in $(go list ./...); do
		for name in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
			echo "--- $pkg $name"
			if ! out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg" 2>&1); then
				echo "$out"
				if grep -q 'Failing input written' <<<"$out" || ! grep -q 'context deadline exceeded' <<<"$out"; then
					return 1
				fi
				echo "--- $pkg $name again for 20s (the fuzz engine ran out of time, no finding)"
				go test -run '^$' -fuzz "^${name}\$" -fuzztime 20s "$pkg"
			else
				echo "$out" | tail -n 2
			fi
			n=$((n + 1))
		done
	done
	echo "$n fuzz targets ran for $FUZZTIME each"
}
