package schema

import (
	"testing"

	"cuelang.org/go/cue"
)

func BenchmarkScratchCompile(b *testing.B) {
	for i := 0; i < b.N; i++ {
		ctx := NewContext()
		s, err := Compile(ctx)
		if err != nil {
			b.Fatal(err)
		}
		s.Accepts(ctx.Encode(map[string]any{}))
	}
}

func BenchmarkScratchCompileOnly(b *testing.B) {
	for i := 0; i < b.N; i++ {
		ctx := NewContext()
		v := ctx.CompileBytes(source, cue.Filename(SourceName))
		_ = v.LookupPath(cue.ParsePath("#Config"))
	}
}

func BenchmarkScratchFacts(b *testing.B) {
	ctx := NewContext()
	v := ctx.CompileBytes(source, cue.Filename(SourceName))
	for i := 0; i < b.N; i++ {
		if _, err := readFacts(v); err != nil {
			b.Fatal(err)
		}
	}
}
