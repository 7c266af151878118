package evidence

import (
	"context"
	"fmt"
	"time"
)

// MaxApplicationsBatch is the most application ids one ApplicationsWithEvidence call returns.
const MaxApplicationsBatch = 1000

// ApplicationsWithEvidence returns up to limit (1 to MaxApplicationsBatch) distinct ids of
// applications that have evidence created before createdBefore, ascending and greater than
// after ("" starts). A retention sweep walks them to find the files that are due.
func (m *Manager) ApplicationsWithEvidence(ctx context.Context, createdBefore time.Time, after string, limit int) ([]string, error) {
	if limit < 1 || limit > MaxApplicationsBatch {
		return nil, fmt.Errorf("evidence: applications batch of %d is not between 1 and %d", limit, MaxApplicationsBatch)
	}
	ids, err := m.store.ListApplications(ctx, createdBefore, after, limit)
	if err != nil {
		return nil, fmt.Errorf("evidence: applications with evidence: %w", err)
	}
	return ids, nil
}
