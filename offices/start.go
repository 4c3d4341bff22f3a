package offices

import "context"

// startKey is the context key of WithStartContext.
type startKey struct{}

// WithStartContext returns a copy of ctx for requests that must send
// nothing new once start ends: their waits (the rate limiter, a 429's
// Retry-After, the backoff between attempts) end at once, no further
// attempt is sent, and the request fails with an error wrapping
// ErrNotSent when none of its attempts may have taken effect. An attempt
// already on the wire runs on under ctx and its answer is returned.
//
// Apply uses it so that Ctrl-C starts nothing new while the requests in
// flight finish; without it, ctx alone governs both.
func WithStartContext(ctx, start context.Context) context.Context {
	return context.WithValue(ctx, startKey{}, start)
}

// startContext returns the context that ends when no new attempt of a
// request made with ctx may start: when ctx ends, or the start context
// given with WithStartContext does. stop releases it.
func startContext(ctx context.Context) (start context.Context, stop func()) {
	s, ok := ctx.Value(startKey{}).(context.Context)
	if !ok {
		return ctx, func() {}
	}
	start, cancel := context.WithCancel(s)
	unhook := context.AfterFunc(ctx, cancel)
	return start, func() { unhook(); cancel() }
}
