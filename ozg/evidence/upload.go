package evidence

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// sniffLen is how much of the start of a file is read to sniff its media type (the limit
// mimetype reads by default).
const sniffLen = 3072

// Upload describes one file to store.
type Upload struct {
	// ApplicationID of the application the file belongs to. The caller has checked that the
	// application exists, belongs to the citizen and is still a draft.
	ApplicationID string
	// Requirement the file fulfils, from the service descriptor.
	Requirement Requirement
	// FileName as the client sent it; it is sanitised and kept as metadata only.
	FileName string
}

// activeContent lists media types that can run script in a browser. They are refused even
// when a requirement lists them.
var activeContent = []string{
	"text/html", "application/xhtml+xml", "image/svg+xml", "text/javascript",
	"application/javascript", "application/x-javascript", "application/ecmascript",
}

// extensions lists the file name extensions that fit a sniffed media type, beside the one
// mimetype itself names.
var extensions = map[string][]string{
	"application/pdf": {".pdf"},
	"image/jpeg":      {".jpg", ".jpeg", ".jpe", ".jfif"},
	"image/png":       {".png"},
	"image/tiff":      {".tif", ".tiff"},
	"image/heic":      {".heic", ".heif"},
	"image/heif":      {".heif", ".heic"},
	"image/gif":       {".gif"},
	"image/webp":      {".webp"},
	"image/bmp":       {".bmp"},
	"text/plain":      {".txt", ".text"},
	"text/csv":        {".csv"},
	"application/xml": {".xml"},
	"text/xml":        {".xml"},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
	"application/vnd.oasis.opendocument.text":                                 {".odt"},
}

// UploadPart stores the file of a multipart part; see [Manager.Upload].
func (m *Manager) UploadPart(ctx context.Context, applicationID string, req Requirement, p *multipart.Part) (Evidence, error) {
	return m.Upload(ctx, Upload{ApplicationID: applicationID, Requirement: req, FileName: p.FileName()}, p)
}

// Upload runs the pipeline over r: it streams r into the blob store while hashing it (SHA-512),
// stops as soon as the requirement's MaxSize or the application's remaining size budget is
// passed, sniffs the media type from the first bytes and refuses types the requirement does not
// accept, active content (HTML, SVG, script) and file names whose extension contradicts the
// content, enforces the requirement's MaxCount and the application's file limit, scans the file
// (ScanSync) or queues it (ScanQueued), and stores the metadata.
//
// A refusal is a *[RefusedError] wrapping ErrTooLarge, ErrEmpty, ErrMediaType,
// ErrExtensionMismatch, ErrTooManyFiles or ErrInfected. Whatever fails (refusal, r's error such
// as a client that went away, ctx canceled, a store error), nothing is left behind: no bytes,
// no metadata.
func (m *Manager) Upload(ctx context.Context, u Upload, r io.Reader) (Evidence, error) {
	req := u.Requirement
	if req.ID == "" || req.MaxSize <= 0 || len(req.MediaTypes) == 0 {
		return Evidence{}, fmt.Errorf("evidence: upload: requirement %q has no id, MaxSize or MediaTypes", req.ID)
	}
	name := SanitizeFileName(u.FileName)

	budget, err := m.checkLimits(ctx, u.ApplicationID, req, 0)
	if err != nil {
		return Evidence{}, err
	}

	// Sniff from the head before anything is stored.
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	head = head[:n]
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Evidence{}, fmt.Errorf("evidence: upload: read: %w", err)
	}
	if n == 0 {
		return Evidence{}, refused(ErrEmpty, "file", "Die Datei ist leer.", "The file is empty.")
	}
	mediaType, err := checkContent(head, name, req)
	if err != nil {
		return Evidence{}, err
	}

	id := m.opts.NewID()
	key := "evidence/" + id
	hr := &limitHashReader{r: io.MultiReader(bytes.NewReader(head), r), h: sha512.New(), left: budget.bytes, limit: budget}
	size, err := m.blobs.Put(ctx, key, hr)
	if err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			return Evidence{}, re
		}
		return Evidence{}, fmt.Errorf("evidence: upload: %w", err)
	}
	discard := func() { _ = m.blobs.Delete(context.WithoutCancel(ctx), key) }

	now := m.opts.Now()
	e := Evidence{
		ID: id, ApplicationID: u.ApplicationID, RequirementID: req.ID, FileName: name,
		MediaType: mediaType, Size: size, SHA512: hex.EncodeToString(hr.h.Sum(nil)),
		ScanState: ScanPending, BlobKey: key, CreatedAt: now, UpdatedAt: now,
	}
	if m.opts.ScanMode == ScanSync {
		v, err := m.scan(ctx, key)
		switch {
		case err != nil && ctx.Err() != nil:
			discard()
			return Evidence{}, fmt.Errorf("evidence: upload: %w", ctx.Err())
		case err != nil:
			e.ScanState, e.ScanDetail = ScanFailed, scanFailureDetail(err)
			m.log.Warn("evidence: scan failed", "evidence", id, "err", err)
		case v.Infected:
			discard()
			m.log.Warn("evidence: infected upload refused", "application", u.ApplicationID, "signature", v.Signature)
			return Evidence{}, refused(ErrInfected, "file",
				"Die Datei enthält Schadsoftware und wurde verworfen.",
				"The file contains malware ("+v.Signature+") and was discarded.")
		default:
			e.ScanState = ScanClean
		}
		e.UpdatedAt = m.opts.Now()
	}

	// Commit under the application's lock, checking the limits again: another upload may
	// have been committed meanwhile (on a store shared by replicas, in the store's own
	// transaction).
	unlock := m.lock(u.ApplicationID)
	err = m.commit(ctx, e, req, size)
	unlock()
	if err != nil {
		discard()
		return Evidence{}, err
	}
	if e.ScanState == ScanPending {
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
	return e, nil
}

// commit records e if the application's limits still allow it.
func (m *Manager) commit(ctx context.Context, e Evidence, req Requirement, size int64) error {
	ls, ok := m.store.(LimitedStore)
	if !ok {
		if _, err := m.checkLimits(ctx, e.ApplicationID, req, size); err != nil {
			return err
		}
		return m.store.Create(ctx, e)
	}
	err := ls.CreateWithin(ctx, e, Limits{
		MaxPerRequirement: max(req.MaxCount, 1),
		MaxFiles:          m.opts.MaxFilesPerApplication,
		MaxTotalSize:      m.opts.MaxTotalSizePerApplication,
	})
	if !errors.Is(err, ErrTooManyFiles) && !errors.Is(err, ErrTooLarge) {
		return err
	}
	// Say which limit, in the citizen's words, from what the store holds now.
	if _, cerr := m.checkLimits(ctx, e.ApplicationID, req, size); cerr != nil {
		return cerr
	}
	if errors.Is(err, ErrTooLarge) {
		return refused(ErrTooLarge, "file",
			"Die Dateien dieses Antrags wären zusammen zu groß.",
			"The application's files would be too large together.")
	}
	return refused(ErrTooManyFiles, "file",
		"Die Höchstzahl an Dateien ist erreicht.",
		"The most files allowed are reached.")
}

// budget is how many bytes an upload may have and which limit sets it.
type budget struct {
	bytes     int64
	byApp     bool // the application's remaining total, not the requirement's MaxSize
	maxReq    int64
	maxTotal  int64
	remaining int64
}

// checkLimits checks the count limits and returns the byte budget; with size > 0 it also
// checks that a file of that size still fits (the commit check).
func (m *Manager) checkLimits(ctx context.Context, applicationID string, req Requirement, size int64) (budget, error) {
	list, err := m.store.List(ctx, applicationID)
	if err != nil {
		return budget{}, fmt.Errorf("evidence: upload: %w", err)
	}
	var total int64
	perReq := 0
	for _, e := range list {
		total += e.Size
		if e.RequirementID == req.ID {
			perReq++
		}
	}
	maxCount := max(req.MaxCount, 1)
	if perReq >= maxCount {
		return budget{}, refused(ErrTooManyFiles, "requirement",
			fmt.Sprintf("Für diesen Nachweis sind höchstens %d Dateien erlaubt.", maxCount),
			fmt.Sprintf("At most %d files are allowed for requirement %q.", maxCount, req.ID))
	}
	if len(list) >= m.opts.MaxFilesPerApplication {
		return budget{}, refused(ErrTooManyFiles, "file",
			fmt.Sprintf("Ein Antrag kann höchstens %d Dateien haben.", m.opts.MaxFilesPerApplication),
			fmt.Sprintf("An application can have at most %d files.", m.opts.MaxFilesPerApplication))
	}
	b := budget{bytes: req.MaxSize, maxReq: req.MaxSize, maxTotal: m.opts.MaxTotalSizePerApplication, remaining: m.opts.MaxTotalSizePerApplication - total}
	if b.remaining < b.bytes {
		b.bytes, b.byApp = max(b.remaining, 0), true
	}
	if b.bytes <= 0 || size > b.bytes {
		return b, b.refusal()
	}
	return b, nil
}

func (b budget) refusal() *RefusedError {
	if b.byApp {
		return refused(ErrTooLarge, "file",
			fmt.Sprintf("Die Dateien dieses Antrags dürfen zusammen höchstens %s groß sein; es sind noch %s frei.", humanSize(b.maxTotal), humanSize(max(b.remaining, 0))),
			fmt.Sprintf("The application's files may total at most %s; %s are left.", humanSize(b.maxTotal), humanSize(max(b.remaining, 0))))
	}
	return refused(ErrTooLarge, "file",
		fmt.Sprintf("Die Datei ist größer als die erlaubten %s.", humanSize(b.maxReq)),
		fmt.Sprintf("The file is larger than the allowed %s (%d bytes).", humanSize(b.maxReq), b.maxReq))
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d Bytes", n)
	}
}

// checkContent sniffs head and checks it against the requirement and the file name's
// extension. It returns the media type without parameters.
//
// Active content is looked for first, in the raw bytes, before the sniffer sees them; then the
// sniffed type must be accepted and its format's signature must stand at its offset (a PDF
// starts with "%PDF-"), so a file that only contains a signature somewhere is not taken for
// that format.
func checkContent(head []byte, name string, req Requirement) (string, error) {
	if kind := activeContentIn(head); kind != "" {
		return "", refused(ErrMediaType, "file",
			"Dateien mit aktivem Inhalt (HTML, SVG, Skripte) werden nicht angenommen.",
			"Files with active content ("+kind+") are not accepted.")
	}
	mt := mimetype.Detect(head)
	mediaType, _, err := mime.ParseMediaType(mt.String())
	if err != nil {
		mediaType = "application/octet-stream"
	}
	for _, a := range activeContent {
		if mt.Is(a) {
			return "", refused(ErrMediaType, "file",
				"Dateien mit aktivem Inhalt (HTML, SVG, Skripte) werden nicht angenommen.",
				"Files with active content ("+mediaType+") are not accepted.")
		}
	}
	accepted := false
	for _, a := range req.MediaTypes {
		if mt.Is(a) {
			accepted = true
			break
		}
	}
	if accepted && !hasSignature(head, mediaType) {
		return "", refused(ErrMediaType, "file",
			fmt.Sprintf("Die Datei beginnt nicht wie eine Datei der Art %s; bitte laden Sie die Originaldatei hoch.", mediaType),
			fmt.Sprintf("The file does not start with the signature of %s.", mediaType))
	}
	if !accepted {
		return "", refused(ErrMediaType, "file",
			fmt.Sprintf("Dateien dieser Art (%s) werden hier nicht angenommen; erlaubt sind: %s.", mediaType, strings.Join(req.MediaTypes, ", ")),
			fmt.Sprintf("Files of type %s are not accepted here; accepted: %s.", mediaType, strings.Join(req.MediaTypes, ", ")))
	}
	if ext := fileExtension(name); ext != "" && !extensionFits(ext, mt, mediaType) {
		return "", refused(ErrExtensionMismatch, "file",
			fmt.Sprintf("Die Dateiendung %s passt nicht zum Inhalt der Datei (%s).", ext, mediaType),
			fmt.Sprintf("The file name extension %s contradicts the content (%s).", ext, mediaType))
	}
	return mediaType, nil
}

func extensionFits(ext string, mt *mimetype.MIME, mediaType string) bool {
	if strings.EqualFold(mt.Extension(), ext) {
		return true
	}
	for _, e := range extensions[mediaType] {
		if e == ext {
			return true
		}
	}
	return false
}

// limitHashReader hashes what it reads and fails with the budget's refusal as soon as more
// than left bytes come through, so an oversize upload stops early.
type limitHashReader struct {
	r     io.Reader
	h     hash.Hash
	left  int64
	limit budget
}

func (l *limitHashReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if int64(n) > l.left {
		return 0, l.limit.refusal()
	}
	l.left -= int64(n)
	l.h.Write(p[:n])
	return n, err
}
