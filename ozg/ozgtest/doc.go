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
//
// # Portal conformance
//
// [Check] and [Run] check a running portal and one of its services over HTTP only, like
// testing/fstest and testing/slogtest: Check returns a [Report] (with [Report.Err] and a
// maturity hint), Run makes every check a subtest. A [Target] says where the portal's API is
// and how citizens log in:
//
//	ozgtest.Run(t, ozgtest.Target{
//		BaseURL:   srv.URL + "/api",
//		ServiceID: "wohngeld",
//		Login:     loginAsErika,  // func(ctx, identity.Level) (*http.Client, error)
//		Other:     loginAsMax,    // a second citizen, for "another owner's id answers 404"
//		Data:      completeData,  // valid form data, to submit
//	})
//
// The command cmd/ozgcheck runs the same checks from the command line against a portal whose
// login is identitytest's local provider.
package ozgtest
