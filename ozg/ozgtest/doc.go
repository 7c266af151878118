// Package ozgtest checks that implementations keep the contracts of package ozg.
//
// [RunStoreConformance] runs the ApplicationStore suite; every store's tests call it in a few
// lines:
//
//	func TestMemoryStore(t *testing.T) {
//		ozgtest.RunStoreConformance(t, func(t *testing.T) ozg.ApplicationStore {
//			return ozg.NewMemoryStore()
//		})
//	}
package ozgtest
