package evidencetest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
)

// EICAR returns the EICAR anti-virus test file (68 bytes), which every virus scanner reports
// and which harms nothing. It is assembled at run time so this source file itself is not
// flagged by scanners.
func EICAR() []byte {
	return []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$` + `EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`)
}

// ClamdServer is a local server that speaks clamd's protocol (zPING, zVERSION, zINSTREAM)
// on loopback TCP, for tests of code that uses evidence.Clamd where no real clamd is
// installed. It reports the EICAR test file as "Eicar-Test-Signature" and enforces a
// StreamMaxLength the way clamd does. It is no virus scanner.
type ClamdServer struct {
	// Addr is the TCP address to pass to evidence.NewClamd("tcp", Addr, nil).
	Addr string

	ln              net.Listener
	streamMaxLength int64
	wg              sync.WaitGroup

	mu    sync.Mutex
	scans int
}

// NewClamdServer starts a server; it stops when the test ends. streamMaxLength <= 0 means
// 25 MiB.
func NewClamdServer(t testing.TB, streamMaxLength int64) *ClamdServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if streamMaxLength <= 0 {
		streamMaxLength = 25 << 20
	}
	s := &ClamdServer{Addr: ln.Addr().String(), ln: ln, streamMaxLength: streamMaxLength}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		s.wg.Wait()
	})
	return s
}

// Scans returns how many INSTREAM scans ended with a verdict.
func (s *ClamdServer) Scans() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scans
}

func (s *ClamdServer) serve() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			s.handle(conn)
		}()
	}
}

func (s *ClamdServer) handle(conn net.Conn) {
	br := bufio.NewReader(conn)
	cmd, err := br.ReadString(0)
	if err != nil {
		return
	}
	reply := func(msg string) { _, _ = io.WriteString(conn, msg+"\x00") }
	switch cmd {
	case "zPING\x00":
		reply("PONG")
	case "zVERSION\x00":
		reply("ClamAV evidencetest")
	case "zINSTREAM\x00":
		var content bytes.Buffer
		var size [4]byte
		for {
			if _, err := io.ReadFull(br, size[:]); err != nil {
				return
			}
			n := binary.BigEndian.Uint32(size[:])
			if n == 0 {
				break
			}
			if int64(content.Len())+int64(n) > s.streamMaxLength {
				reply("INSTREAM size limit exceeded. ERROR")
				return
			}
			if _, err := io.CopyN(&content, br, int64(n)); err != nil {
				return
			}
		}
		s.mu.Lock()
		s.scans++
		s.mu.Unlock()
		if bytes.Contains(content.Bytes(), EICAR()) {
			reply("stream: Eicar-Test-Signature FOUND")
		} else {
			reply("stream: OK")
		}
	default:
		reply("UNKNOWN COMMAND")
	}
}
