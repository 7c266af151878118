# S3-compatible object store for ozg/evidence/s3blob's conformance test and benchmarks: the
# Versity S3 Gateway (versitygw, Apache-2.0, a real S3 server written in Go) with its posix
# backend, built from the Go module proxy (about 2 minutes on 2 cores, downloads included) and
# started on loopback only. Buckets are directories below $_s3_root. Idempotent: a matching
# binary is not rebuilt, a running gateway is not started twice. Tests read the OZGKIT_TEST_S3_*
# variables exported here and skip with a message without them.
VERSITYGW_VERSION=v1.8.0
_s3_bin="$(go env GOPATH)/bin/versitygw"
_s3_addr=127.0.0.1:9470
_s3_root=/var/tmp/ozgkit-s3
_s3_access=ozgkit-test-access
_s3_secret=ozgkit-test-secret-not-for-production
# The binary's own --version says "git" when built by go install; its build info names the module.
if ! go version -m "$_s3_bin" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/versity/versitygw[[:space:]]+${VERSITYGW_VERSION}[[:space:]]"; then
	_s3_start=$(date +%s)
	go install "github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}" ||
		echo "s3.sh: versitygw could not be built; the S3 blob store tests will skip" >&2
	echo "s3.sh: built versitygw ${VERSITYGW_VERSION} in $(($(date +%s) - _s3_start)) s"
fi
if [ -x "$_s3_bin" ]; then
	mkdir -p "$_s3_root/ozgkit-test"
	if ! (exec 3<>"/dev/tcp/${_s3_addr%:*}/${_s3_addr#*:}") 2>/dev/null; then
		setsid nohup "$_s3_bin" --port "$_s3_addr" --access "$_s3_access" --secret "$_s3_secret" --quiet \
			posix "$_s3_root" >"$_s3_root.log" 2>&1 </dev/null &
		for _ in $(seq 1 50); do
			(exec 3<>"/dev/tcp/${_s3_addr%:*}/${_s3_addr#*:}") 2>/dev/null && break
			sleep 0.2
		done
	fi
	if (exec 3<>"/dev/tcp/${_s3_addr%:*}/${_s3_addr#*:}") 2>/dev/null; then
		export OZGKIT_TEST_S3_ENDPOINT="http://$_s3_addr"
		export OZGKIT_TEST_S3_BUCKET=ozgkit-test
		export OZGKIT_TEST_S3_ACCESS_KEY="$_s3_access"
		export OZGKIT_TEST_S3_SECRET_KEY="$_s3_secret"
	else
		echo "s3.sh: versitygw did not start on $_s3_addr (see $_s3_root.log); the S3 blob store tests will skip" >&2
	fi
fi
unset _s3_bin _s3_addr _s3_root _s3_access _s3_secret _s3_start
