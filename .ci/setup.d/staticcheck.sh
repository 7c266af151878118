# staticcheck, pinned, from the module proxy (installed once into GOPATH/bin).
STATICCHECK_VERSION=v0.8.2 # staticcheck 2026.2.2
_sc="$(go env GOPATH)/bin/staticcheck"
if ! "$_sc" -version 2>/dev/null | grep -q "(${STATICCHECK_VERSION#v})"; then
	go install "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}"
fi
export STATICCHECK="$_sc"
unset _sc
