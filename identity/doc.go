// Package identity knows who the citizen is and how sure we are of it.
//
// # Trust levels
//
// [Level] is the Vertrauensniveau a login reached: none < basic < low < substantial < high.
// BundID's username/password login (STORK-QAA-Level-1/-2) is basic and does NOT meet eIDAS low;
// an ELSTER certificate (STORK-QAA-Level-3) is eIDAS substantial; the German eID card
// (STORK-QAA-Level-4) is eIDAS high. A service requires a level; a login meets it when
// [Level.Meets] says so.
//
// identity is a leaf package: it imports nothing else of ozgkit.
package identity
