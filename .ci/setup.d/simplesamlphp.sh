# SimpleSAMLphp: the SAML identity provider identity/saml's interop test logs in at. The test
# writes its own configuration to a temporary directory and starts SimpleSAMLphp with PHP's
# built-in web server on 127.0.0.1; it only needs the installed code and php-cli.
# OZGKIT_TEST_SIMPLESAMLPHP names the installation; the test skips without it.
apt_install simplesamlphp php-cli php-xml php-mbstring php-curl
if [ -d /usr/share/simplesamlphp/www ] && command -v php >/dev/null 2>&1; then
	export OZGKIT_TEST_SIMPLESAMLPHP="${OZGKIT_TEST_SIMPLESAMLPHP:-/usr/share/simplesamlphp}"
fi
