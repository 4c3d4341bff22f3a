package apply_test

import (
	"context"
	"fmt"
	"github.com/officectl/officectl/engine/apply/applytest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// BenchmarkApplyThroughput applies N offices (APPLY_BENCH_N, default 200)
// to a simulator that answers after 100 ms and admits 6,000 requests a
// minute, with a client limited to the same 6,000, at several
// parallelisms. It reports the pace the server saw as a fraction of the
// limit (of-limit) and the 429 answers (429s).
//
// By Little's law a parallelism of P at latency L sustains at most P/L
// requests a second: 8 in flight at 100 ms is 80/s, 0.8 of 6,000 a
// minute, so reaching the limit takes more (16 here). At Dialpad's real
// 1,200 a minute the default 8 covers latencies up to 400 ms. The
// client's limiter paces at most (limit-1)/(61 s) a second, 0.98 of the
// limit, so that the server's sliding window never overflows; the run
// also spends one latency on the listing before the first create
// (creating-of-limit leaves it out).
//
//	go test ./engine -run '^$' -bench ApplyThroughput -benchtime 1x
func BenchmarkApplyThroughput(b *testing.B) {
	n := 200
	if v, err := strconv.Atoi(os.Getenv("APPLY_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	const limit = 6000
	for _, par := range []int{1, 8, 16} {
		b.Run(fmt.Sprintf("parallelism=%d", par), func(b *testing.B) {
			var frac, createFrac float64
			var throttled int
			for range b.N {
				b.StopTimer()
				env := enginetest.NewEnv(b, officestest.Options{RatePerMinute: limit, Latency: 100 * time.Millisecond},
					func(c *offices.ClientConfig) { c.Rate = limit })
				p := env.Plan(b, enginetest.Numbered(n))
				b.StartTimer()
				res, _ := applytest.Apply(b, env, context.Background(), p, par, false)
				b.StopTimer()
				if res.Err != nil || res.Counts.Created != n {
					b.Fatalf("created %d of %d: %v", res.Counts.Created, n, res.Err)
				}
				recs := env.Sim.Records()
				frac = enginetest.Pace(recs) / limit
				createFrac = enginetest.Pace(recs[1:]) / limit // after the listing that precedes the first create
				throttled = env.Sim.Stats().RateLimited + int(env.Client.Stats().Throttled)
			}
			b.ReportMetric(frac, "of-limit")
			b.ReportMetric(createFrac, "creating-of-limit")
			b.ReportMetric(float64(throttled), "429s")
			b.Logf("apply parallelism=%d: %.2f of limit (%.2f while creating), %d 429s (%d offices)", par, frac, createFrac, throttled, n)
		})
	}
}
