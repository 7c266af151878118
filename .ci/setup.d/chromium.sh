# Headless Chromium for the example's browser test (examples/wohngeld, TestBrowserJourney), which
# starts /usr/bin/chromium itself and skips with a message when it is missing. Debian's package,
# with a font so pages render text; nothing else is downloaded.
if [ ! -x /usr/bin/chromium ]; then
	apt_install chromium fonts-dejavu-core || echo "chromium.sh: chromium could not be installed; the browser test will skip" >&2
else
	apt_install fonts-dejavu-core || true
fi
