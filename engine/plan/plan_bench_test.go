package plan_test

import (
	"fmt"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/state"
)

// bigPlanInputs is a config of n offices and a state of n entries: 90% of
// the config unchanged, 3% manual, 2% e911 updates, 5% new; the state's
// other 5% are orphans. Offices refer to earlier ones, so the order has
// work to do.
func bigPlanInputs(n int) (*load.Config, *state.State) {
	st := state.New()
	st.Lineage, st.Serial = "bench", 42
	ds := make([]load.Desired, 0, n)
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("office-%05d", i)
		o := enginetest.Office(fmt.Sprintf("Office %d", i), "US")
		if i > 0 {
			enginetest.RouteTo(&o, fmt.Sprintf("office-%05d", i/2), fmt.Sprintf("office-%05d", i/3))
		}
		switch {
		case i%100 < 90:
			st.Offices[key] = enginetest.Created(fmt.Sprint(5100000000000000+i), o)
		case i%100 < 93:
			st.Offices[key] = enginetest.Created(fmt.Sprint(5100000000000000+i), o)
			o.RingSeconds = enginetest.Ptr(int64(25))
		case i%100 < 95:
			st.Offices[key] = enginetest.Created(fmt.Sprint(5100000000000000+i), o)
			o.E911Address = enginetest.Ptr(*o.E911Address)
			o.E911Address.Zip = "10001"
		}
		ds = append(ds, load.Desired{Key: key, Office: o})
	}
	for i := 0; len(st.Offices) < n; i++ {
		st.Offices[fmt.Sprintf("gone-%05d", i)] = enginetest.Created(fmt.Sprint(5200000000000000+i), enginetest.Office(fmt.Sprintf("Gone %d", i), "DE"))
	}
	return load.NewConfig(ds), st
}

// BenchmarkPlan10k plans 10,000 offices against a 10,000-entry state.
func BenchmarkPlan10k(b *testing.B) {
	cfg, st := bigPlanInputs(10000)
	for b.Loop() {
		if _, err := plan.MakePlan(cfg, st); err != nil {
			b.Fatal(err)
		}
	}
}
