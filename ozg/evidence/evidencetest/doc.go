// Package evidencetest holds the conformance suites of package evidence's provider
// interfaces: [RunBlobStoreConformance] for an evidence.BlobStore and [RunStoreConformance] for
// an evidence.Store. Every implementation's test calls them; the suites are the contract.
//
//	func TestFileBlobStoreConformance(t *testing.T) {
//		evidencetest.RunBlobStoreConformance(t, func(t *testing.T) evidence.BlobStore {
//			s, err := evidence.NewFileBlobStore(t.TempDir(), nil)
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
package evidencetest
