package schema

import "testing"

// BenchmarkCompile is what a validator pays for each new CUE context (it
// starts one every few hundred files): Compile and the first Accepts.
func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ctx := NewContext()
		s, err := Compile(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if !s.Accepts(map[string]any{}) {
			b.Fatal("an empty config is not accepted")
		}
	}
}
