# qpdf and pdftotext (poppler-utils) check the PDFs ozg/casework/document writes
# (TestPDFsPassQpdfAndCarryGermanText); the tests skip with a message when they are missing.
apt_install qpdf poppler-utils || echo "pdf.sh: qpdf/poppler-utils could not be installed; the PDF checks will skip" >&2
