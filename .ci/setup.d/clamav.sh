# ClamAV daemon for ozg/evidence's clamd test. Only the binaries are needed: the test writes its
# own signature database (the EICAR test signature) and starts clamd itself on a temporary unix
# socket with a temporary config, so no signature download (freshclam) and no system service are
# used. Tests find clamd through OZGKIT_TEST_CLAMD and skip with a message when it is missing.
# policy-rc.d keeps the packages' maintainer scripts from starting clamd/freshclam services.
if ! command -v clamd >/dev/null 2>&1 && [ ! -x /usr/sbin/clamd ]; then
	_clam_policy_added=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		_clam_policy_added=1
	fi
	apt_install clamav-daemon || echo "clamav.sh: clamav-daemon could not be installed; the clamd test will skip" >&2
	[ -n "$_clam_policy_added" ] && rm -f /usr/sbin/policy-rc.d
	unset _clam_policy_added
fi
if [ -x /usr/sbin/clamd ]; then
	export OZGKIT_TEST_CLAMD="${OZGKIT_TEST_CLAMD:-/usr/sbin/clamd}"
fi
