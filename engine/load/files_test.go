package load

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/officectl/officectl/schema"
)

// plainOfficeYAML is one valid office file with key and name.
func plainOfficeYAML(key, name string) string {
	return `offices:
  ` + key + `:
    name: ` + name + `
    country: DE
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: Main St 1, city: Berlin, country: DE, postal_code: "10117", region: Berlin}
`
}

// TestLoadHostileFiles loads a directory holding, beside valid files, a
// FIFO, a 200 MB (sparse) file, links to /dev/zero and to a file outside
// the directory, a dangling link and a link to a folder that makes a loop:
// Load returns at once, with one error at each hostile file and the valid
// files still checked.
func TestLoadHostileFiles(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "offices")
	outside := filepath.Join(root, "secret.yaml")
	write := func(path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "a.yaml"), plainOfficeYAML("berlin", "Berlin"))
	write(filepath.Join(dir, "sub", "b.yaml"), plainOfficeYAML("munich", "Munich"))
	write(filepath.Join(dir, "notes.txt"), plainOfficeYAML("hamburg", "Hamburg"))
	write(outside, plainOfficeYAML("paris", "Paris"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	big, err := os.Create(filepath.Join(dir, "big.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(200 << 20); err != nil {
		t.Fatal(err)
	}
	big.Close()
	link("/dev/zero", "zero.yaml")
	link(outside, "outside.yaml")
	link("../offices/notes.txt", "inside.yaml") // inside, through a path that leaves and comes back
	link("nowhere.yaml", "dangling.yaml")
	link(".", "loop") // a folder: not followed

	type result struct {
		cfg   *Config
		diags []schema.Diagnostic
		err   error
	}
	done := make(chan result, 1)
	go func() {
		cfg, diags, err := Load(dir, LoadOptions{})
		done <- result{cfg, diags, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Load did not return within 20 s (blocked on the FIFO or reading /dev/zero?)")
	}
	if res.err != nil {
		t.Fatalf("Load: %v", res.err)
	}
	if res.cfg != nil {
		t.Error("the config loaded as valid despite the hostile files")
	}
	want := map[string]string{
		"fifo.yaml":     "not a regular file (a named pipe): a config file must be a regular file",
		"big.yaml":      "file too large: 200 MiB, over the limit of 8 MiB per config file",
		"zero.yaml":     "a symbolic link to /dev/zero, outside the config directory " + dir,
		"outside.yaml":  "a symbolic link to " + outside + ", outside the config directory " + dir,
		"dangling.yaml": "a symbolic link that leads nowhere",
		"loop":          "a symbolic link to a folder: not followed",
	}
	got := map[string]string{}
	for _, d := range res.diags {
		rel, err := filepath.Rel(dir, d.File)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := want[rel]; !ok {
			t.Errorf("unexpected diagnostic: %s", d)
			continue
		}
		got[rel] = d.Message
	}
	for file, part := range want {
		if !strings.Contains(got[file], part) {
			t.Errorf("%s: diagnostic %q, want it to contain %q", file, got[file], part)
		}
	}

	// Without the hostile files, the same directory loads: the valid files
	// (and the link inside the directory) were checked all along.
	for _, f := range []string{"fifo.yaml", "big.yaml", "zero.yaml", "outside.yaml", "dangling.yaml"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags, err := Load(dir, LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("Load without the hostile files: %v %v", err, diags)
	}
	var keys []string
	for _, o := range cfg.Offices {
		keys = append(keys, o.Key)
	}
	if strings.Join(keys, ",") != "berlin,hamburg,munich" {
		t.Errorf("offices %v, want berlin, hamburg (through the link inside) and munich", keys)
	}

	// The config directory given as a link is walked, its files named
	// through the link.
	linked := filepath.Join(root, "linked")
	if err := os.Symlink(dir, linked); err != nil {
		t.Fatal(err)
	}
	cfg, diags, err = Load(linked, LoadOptions{})
	if err != nil || cfg == nil || len(cfg.Offices) != 3 {
		t.Fatalf("Load through a linked directory: %v %v %v", cfg, diags, err)
	}
	if f := cfg.Offices[0].Pos.File; !strings.HasPrefix(f, linked+string(filepath.Separator)) {
		t.Errorf("file %s, want it named through the link %s", f, linked)
	}
}

// TestLoadMaxFileSize: the limit is an option, and a file just over it is
// refused while one at it is read.
func TestLoadMaxFileSize(t *testing.T) {
	dir := t.TempDir()
	src := plainOfficeYAML("berlin", "Berlin")
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if cfg, diags, err := Load(dir, LoadOptions{MaxFileSize: int64(len(src))}); err != nil || cfg == nil {
		t.Fatalf("a file at the limit: %v %v", err, diags)
	}
	_, diags, err := Load(dir, LoadOptions{MaxFileSize: int64(len(src)) - 1})
	if err != nil || len(diags) != 1 || !strings.Contains(diags[0].Message, "over the limit of") ||
		!strings.Contains(diags[0].Message, MaxFileSizeEnv) {
		t.Fatalf("a file over the limit: %v %v", err, diags)
	}
}

func TestReadRegularFile(t *testing.T) {
	if _, err := ReadRegularFile("/dev/zero", 1<<20); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "/dev/zero") {
		t.Errorf("/dev/zero: %v, want ErrNotRegular naming it", err)
	}
	if _, err := ReadRegularFile(t.TempDir(), 1<<20); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "a directory") {
		t.Errorf("a directory: %v, want ErrNotRegular", err)
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadRegularFile(path, 5); err != nil || string(b) != "12345" {
		t.Errorf("5 bytes at limit 5: %q %v", b, err)
	}
	if _, err := ReadRegularFile(path, 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("5 bytes at limit 4: %v, want ErrTooLarge", err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "8388608": 8 << 20, "512KiB": 512 << 10, "8MiB": 8 << 20, "8 mb": 8 << 20, "1G": 1 << 30, "100B": 100} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "MiB", "8XB", "1.5MiB", "99999999999999GiB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded", in)
		}
	}
	for n, want := range map[int64]string{512: "512 bytes", 8 << 20: "8 MiB", 200<<20 + 1<<19: "200.5 MiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestLoadTimeout: Load gives up when its time limit passes, with
// ErrLoadTimeout, and loads as before within it.
func TestLoadTimeout(t *testing.T) {
	start := time.Now()
	_, _, err := Load("../../testdata/example", LoadOptions{Timeout: time.Microsecond})
	if !errors.Is(err, ErrLoadTimeout) || !strings.Contains(err.Error(), LoadTimeoutEnv) {
		t.Errorf("Load with 1µs: %v, want ErrLoadTimeout naming %s", err, LoadTimeoutEnv)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Load with 1µs returned after %s", d)
	}
	if cfg, diags, err := Load("../../testdata/example", LoadOptions{Timeout: time.Minute}); err != nil || cfg == nil {
		t.Errorf("Load with a minute: %v %v", err, diags)
	}
}
