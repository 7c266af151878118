# PostgreSQL: the machine runs it at 127.0.0.1:5432 with trust auth and a database "test".
# Start it if it stopped; tests that need it read OZGKIT_TEST_POSTGRES and skip without it.
if command -v pg_ctlcluster >/dev/null 2>&1; then
	for v in $(ls /etc/postgresql 2>/dev/null); do
		pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
	done
fi
export OZGKIT_TEST_POSTGRES="${OZGKIT_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
