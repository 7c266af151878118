# xmllint (Debian libxml2-utils) for ozg's XZuFi export test, which validates the export against
# the XZuFi 2.2 XSD. The XSD is not part of the repository: download the XZuFi 2.2.0 release
# from XRepository (urn:xoev-de:fim:standard:xzufi_2.2.0), unpack it and point
# OZGKIT_XZUFI_XSD at the XSD of the transfer messages; without it the test skips.
if ! command -v xmllint >/dev/null 2>&1; then
	apt_install libxml2-utils || echo "xmllint.sh: libxml2-utils could not be installed; the XZuFi XSD test will skip" >&2
fi
