package load

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// benchDir generates n office files (5% invalid) with the bench tool.
func benchDir(b *testing.B, n int, invalid string) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "offices")
	cmd := exec.Command("go", "run", "../../testdata/bench/tool", "gen", "-n", itoa(n), "-invalid", invalid, "-out", dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatal(err)
	}
	return dir
}

func itoa(n int) string {
	return string(appendInt(nil, n))
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func benchmarkLoad(b *testing.B, n int) {
	dir := benchDir(b, n, "0.05")
	defer debug.SetGCPercent(debug.SetGCPercent(mainGCPercent))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, diags, err := Load(dir, LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(diags) == 0 {
			b.Fatal("no diagnostics for the invalid files")
		}
	}
}

func BenchmarkLoad1k(b *testing.B)  { benchmarkLoad(b, 1000) }
func BenchmarkLoad10k(b *testing.B) { benchmarkLoad(b, 10000) }

// mainGCPercent is the GC target officectl's main sets (main.go): the
// benchmark measures Load as the CLI runs it.
const mainGCPercent = 400
