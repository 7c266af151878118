package portal

import (
	"context"

	"github.com/ozgkit/ozgkit/ozg"
)

// Sweeper returns the retention sweeper (Löschfristen) over the portal's services, database,
// evidence and Postfach: what each service's ozg.Service.Retention says is due goes. Run
// sweeps hourly; an operator's tool can ask for a dry run with
// p.Sweeper() then Sweep(ctx, time.Now(), true), which reports counts per service and kind.
func (p *Portal) Sweeper() (*ozg.Sweeper, error) {
	return ozg.NewSweeper(p.catalog.Services(), p.db.Applications(), &ozg.SweeperOptions{
		Evidence: p.evidence, Messages: p.mailbox, Logger: p.logger,
	})
}

// runRetention is Run's retention loop.
func (p *Portal) runRetention(ctx context.Context) error {
	s, err := p.Sweeper()
	if err != nil {
		return err
	}
	return s.Run(ctx)
}
