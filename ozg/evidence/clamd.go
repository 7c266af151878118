package evidence

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// ErrStreamTooLong: the file is longer than clamd accepts in one INSTREAM (its StreamMaxLength,
// or ClamdOptions.StreamMaxLength). It wraps [ErrScanFailed]: the file is not clean.
var ErrStreamTooLong = fmt.Errorf("%w: longer than clamd's StreamMaxLength", ErrScanFailed)

// Clamd is a [Scanner] that asks a ClamAV daemon (clamd) over its INSTREAM protocol, on a
// unix socket ("unix", "/run/clamav/clamd.ctl") or TCP ("tcp", "127.0.0.1:3310"). Each Scan
// opens one connection and streams the file in chunks; nothing is written to disk by this side.
//
// Size limit: clamd refuses a stream longer than its StreamMaxLength (default 100M in ClamAV
// 1.x) with "INSTREAM size limit exceeded"; Scan then stops sending and returns
// [ErrStreamTooLong]. Set ClamdOptions.StreamMaxLength to clamd's value to fail before sending
// anything for a file known to be too long.
type Clamd struct {
	network, address string
	opts             ClamdOptions
}

// ClamdOptions tune a [Clamd]; zero fields mean the defaults.
type ClamdOptions struct {
	// ChunkSize is the size of the INSTREAM chunks; default 64 KiB.
	ChunkSize int
	// StreamMaxLength, when > 0, is clamd's StreamMaxLength: a file longer than this fails
	// with ErrStreamTooLong without waiting for clamd.
	StreamMaxLength int64
	// Timeout bounds one scan (connection, transfer and verdict) when ctx has no earlier
	// deadline; default 2 minutes.
	Timeout time.Duration
}

// NewClamd returns a client of the clamd at network ("unix" or "tcp") and address.
func NewClamd(network, address string, opts *ClamdOptions) (*Clamd, error) {
	if network != "unix" && network != "tcp" {
		return nil, fmt.Errorf("evidence: clamd network %q: want unix or tcp", network)
	}
	if address == "" {
		return nil, errors.New("evidence: clamd: empty address")
	}
	c := &Clamd{network: network, address: address}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.ChunkSize <= 0 {
		c.opts.ChunkSize = 64 << 10
	}
	if c.opts.Timeout <= 0 {
		c.opts.Timeout = 2 * time.Minute
	}
	return c, nil
}

// dial connects and ties the connection to ctx: canceling ctx closes it.
func (c *Clamd) dial(ctx context.Context) (net.Conn, func(), error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	var d net.Dialer
	conn, err := d.DialContext(ctx, c.network, c.address)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("%w: clamd: %w", ErrScanFailed, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	return conn, func() { stop(); cancel(); _ = conn.Close() }, nil
}

// command sends a z-command and returns clamd's NUL-terminated reply.
func (c *Clamd) command(ctx context.Context, cmd string) (string, error) {
	conn, done, err := c.dial(ctx)
	if err != nil {
		return "", err
	}
	defer done()
	if _, err := io.WriteString(conn, "z"+cmd+"\x00"); err != nil {
		return "", fmt.Errorf("%w: clamd %s: %w", ErrScanFailed, cmd, err)
	}
	reply, err := readReply(conn)
	if err != nil {
		return "", fmt.Errorf("%w: clamd %s: %w", ErrScanFailed, cmd, ctxErr(ctx, err))
	}
	return reply, nil
}

// Ping checks that clamd answers.
func (c *Clamd) Ping(ctx context.Context) error {
	reply, err := c.command(ctx, "PING")
	if err != nil {
		return err
	}
	if reply != "PONG" {
		return fmt.Errorf("%w: clamd PING answered %q", ErrScanFailed, reply)
	}
	return nil
}

// Version returns clamd's version line, e.g. "ClamAV 1.4.6/...".
func (c *Clamd) Version(ctx context.Context) (string, error) {
	return c.command(ctx, "VERSION")
}

// Scan implements [Scanner] with INSTREAM.
func (c *Clamd) Scan(ctx context.Context, r io.Reader) (Verdict, error) {
	conn, done, err := c.dial(ctx)
	if err != nil {
		return Verdict{}, err
	}
	defer done()
	if _, err := io.WriteString(conn, "zINSTREAM\x00"); err != nil {
		return Verdict{}, fmt.Errorf("%w: clamd: %w", ErrScanFailed, err)
	}
	bw := bufio.NewWriterSize(conn, c.opts.ChunkSize+4)
	buf := make([]byte, 4+c.opts.ChunkSize)
	var sent int64
	for {
		n, rerr := io.ReadFull(r, buf[4:])
		if n > 0 {
			sent += int64(n)
			if c.opts.StreamMaxLength > 0 && sent > c.opts.StreamMaxLength {
				return Verdict{}, ErrStreamTooLong
			}
			binary.BigEndian.PutUint32(buf[:4], uint32(n))
			if _, werr := bw.Write(buf[:4+n]); werr != nil {
				// clamd closes the connection after refusing a stream; its reply says why.
				return Verdict{}, c.replyAfterWriteError(ctx, conn, werr)
			}
			if werr := bw.Flush(); werr != nil {
				return Verdict{}, c.replyAfterWriteError(ctx, conn, werr)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return Verdict{}, fmt.Errorf("%w: read file: %w", ErrScanFailed, rerr)
		}
	}
	if _, err := conn.Write([]byte{0, 0, 0, 0}); err != nil {
		return Verdict{}, c.replyAfterWriteError(ctx, conn, err)
	}
	reply, err := readReply(conn)
	if err != nil {
		return Verdict{}, fmt.Errorf("%w: clamd reply: %w", ErrScanFailed, ctxErr(ctx, err))
	}
	return parseScanReply(reply)
}

// replyAfterWriteError reads what clamd said before it closed the connection.
func (c *Clamd) replyAfterWriteError(ctx context.Context, conn net.Conn, werr error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrScanFailed, ctx.Err())
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if reply, err := readReply(conn); err == nil {
		if _, perr := parseScanReply(reply); perr != nil {
			return perr
		}
	}
	return fmt.Errorf("%w: clamd: %w", ErrScanFailed, werr)
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// readReply reads one NUL-terminated reply of at most 4 KiB.
func readReply(conn net.Conn) (string, error) {
	br := bufio.NewReaderSize(io.LimitReader(conn, 4096), 4096)
	line, err := br.ReadBytes(0)
	if err != nil && !(err == io.EOF && len(line) > 0) {
		return "", err
	}
	return string(bytes.TrimRight(line, "\x00\n")), nil
}

// parseScanReply reads "stream: OK", "stream: <signature> FOUND" or "... ERROR".
func parseScanReply(reply string) (Verdict, error) {
	switch {
	case strings.Contains(reply, "size limit exceeded"):
		return Verdict{}, ErrStreamTooLong
	case strings.HasSuffix(reply, " ERROR"):
		return Verdict{}, fmt.Errorf("%w: clamd: %s", ErrScanFailed, reply)
	case strings.HasSuffix(reply, " FOUND"):
		sig := strings.TrimSuffix(reply, " FOUND")
		if i := strings.Index(sig, ": "); i >= 0 {
			sig = sig[i+2:]
		}
		return Verdict{Infected: true, Signature: sig}, nil
	case strings.HasSuffix(reply, ": OK") || reply == "OK":
		return Verdict{}, nil
	default:
		return Verdict{}, fmt.Errorf("%w: clamd answered %q", ErrScanFailed, reply)
	}
}
