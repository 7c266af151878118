// Package mailboxtest checks implementations of mailbox.Store.
//
// # Conformance
//
// Every Store implementation's tests call [RunStoreConformance] in a few lines:
//
//	func TestConformance(t *testing.T) {
//		mailboxtest.RunStoreConformance(t, func(tb testing.TB) mailbox.Store {
//			return openStore(tb) // a fresh, empty store
//		})
//	}
//
// The suite is the specification of the contract written in the doc comment of mailbox.Store.
//
// # Benchmarks
//
// [BenchmarkStore] measures the hot paths (listing the newest 50 messages of one owner among
// 100,000 messages) so that every implementation reports comparable figures:
//
//	func BenchmarkStore(b *testing.B) {
//		mailboxtest.BenchmarkStore(b, func(tb testing.TB) mailbox.Store { return openStore(tb) }, nil)
//	}
package mailboxtest
