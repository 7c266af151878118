package ozg

import (
	"sync"
	"time"
)

// Berlin returns the time zone German authorities tell dates in (Europe/Berlin), or UTC where
// the zone database is missing. It is loaded once: time.LoadLocation reads the database on
// every call.
var Berlin = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return loc
	}
	return time.UTC
})
