package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestActionlint checks the README workflow, the repository's workflows and
// (through the workflow that uses it as ./) action.yml with actionlint, the
// go tool dependency of go.mod.
func TestActionlint(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: actionlint is built on first use")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go is not on PATH: %v", err)
	}
	files, _ := filepath.Glob(".github/workflows/*.yaml")
	if !slices.Contains(files, filepath.Join(".github", "workflows", "action.yaml")) {
		t.Fatal("no .github/workflows/action.yaml: the workflow that has actionlint read action.yml")
	}
	args := append([]string{"tool", "actionlint", "-no-color", "testdata/ci/github-workflow.yaml", "testdata/ci/github-drift.yaml"}, files...)
	out, err := exec.Command(goBin, args...).CombinedOutput()
	if err != nil {
		t.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// goreleaserConfig is the part of .goreleaser.yaml the release depends on.
type goreleaserConfig struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Ldflags []string `yaml:"ldflags"`
		Env     []string `yaml:"env"`
	} `yaml:"builds"`
	Archives []struct {
		Formats         []string `yaml:"formats"`
		NameTemplate    string   `yaml:"name_template"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
}

func readGoreleaser(t *testing.T) goreleaserConfig {
	t.Helper()
	src, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c goreleaserConfig
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&c); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	return c
}

// releaseName expands a goreleaser name template with the fields the
// release's names use.
func releaseName(t *testing.T, tmpl string, fields map[string]string) string {
	t.Helper()
	re := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	out := re.ReplaceAllStringFunc(tmpl, func(m string) string {
		f := re.FindStringSubmatch(m)[1]
		v, ok := fields[f]
		if !ok {
			t.Fatalf("name template %q uses .%s, which install.sh does not know", tmpl, f)
		}
		return v
	})
	if strings.Contains(out, "{{") {
		t.Fatalf("name template %q: cannot expand", tmpl)
	}
	return out
}

// TestGoreleaserConfig: the release has linux, darwin and windows binaries
// for amd64 and arm64, static, stamped with the tag, in archives (zip on
// Windows) with a SHA-256 checksums file.
func TestGoreleaserConfig(t *testing.T) {
	c := readGoreleaser(t)
	if c.Version != 2 || c.ProjectName != "officectl" || len(c.Builds) != 1 || len(c.Archives) != 1 {
		t.Fatalf("want goreleaser v2 config of project officectl with one build and one archive: %+v", c)
	}
	b := c.Builds[0]
	slices.Sort(b.Goos)
	slices.Sort(b.Goarch)
	if !slices.Equal(b.Goos, []string{"darwin", "linux", "windows"}) || !slices.Equal(b.Goarch, []string{"amd64", "arm64"}) {
		t.Errorf("targets %v × %v, want darwin, linux, windows × amd64, arm64", b.Goos, b.Goarch)
	}
	if b.Main != "." || b.Binary != "officectl" || !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("build: main %q binary %q env %v", b.Main, b.Binary, b.Env)
	}
	if !strings.Contains(strings.Join(b.Ldflags, " "), "-X main.version={{ .Tag }}") {
		t.Errorf("ldflags %v do not set main.version to the tag", b.Ldflags)
	}
	if c.Checksum.Algorithm != "sha256" || c.Checksum.NameTemplate == "" {
		t.Errorf("checksum %+v, want sha256 with a name", c.Checksum)
	}
	a := c.Archives[0]
	if !slices.Equal(a.Formats, []string{"tar.gz"}) || len(a.FormatOverrides) != 1 || a.FormatOverrides[0].Goos != "windows" || !slices.Equal(a.FormatOverrides[0].Formats, []string{"zip"}) {
		t.Errorf("archives: %+v, want tar.gz and zip on windows (what install.sh extracts)", a)
	}
}

// TestInstallScript runs testdata/ci/install.sh, which action.yml runs,
// against a release served on loopback under the names .goreleaser.yaml
// gives: it installs a binary whose archive matches the checksums file, and
// installs nothing, failing loudly, when it does not.
func TestInstallScript(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "tar", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	c := readGoreleaser(t)
	fields := map[string]string{"ProjectName": c.ProjectName, "Version": "1.2.3", "Os": "linux", "Arch": "arm64"}
	archive := releaseName(t, c.Archives[0].NameTemplate, fields) + ".tar.gz"
	sums := releaseName(t, c.Checksum.NameTemplate, fields)

	fake := []byte("#!/bin/sh\necho fake officectl v1.2.3\n")
	var tgz bytes.Buffer
	gz := gzip.NewWriter(&tgz)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: "README.md", Mode: 0o644, Size: 2})
	tw.Write([]byte("hi"))
	tw.WriteHeader(&tar.Header{Name: "officectl", Mode: 0o755, Size: int64(len(fake))})
	tw.Write(fake)
	tw.Close()
	gz.Close()
	sum := sha256.Sum256(tgz.Bytes())
	files := map[string][]byte{
		"/v1.2.3/" + archive: tgz.Bytes(),
		"/v1.2.3/" + sums:    []byte(strings.Repeat("0", 64) + "  other.tar.gz\n" + hex.EncodeToString(sum[:]) + "  " + archive + "\n"),
	}
	var mu sync.Mutex // files changes between installs
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b, ok := files[r.URL.Path]
		mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()

	install := func(dir string) (string, error) {
		cmd := exec.Command("bash", "testdata/ci/install.sh", "v1.2.3", dir)
		cmd.Env = append(os.Environ(), "OFFICECTL_RELEASE_URL="+srv.URL, "RUNNER_OS=Linux", "RUNNER_ARCH=ARM64")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	dir := filepath.Join(t.TempDir(), "bin")
	if out, err := install(dir); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(dir, "officectl")).CombinedOutput()
	if err != nil || string(out) != "fake officectl v1.2.3\n" {
		t.Errorf("installed binary: %v %q", err, out)
	}

	mu.Lock()
	files["/v1.2.3/"+archive] = append(bytes.Clone(tgz.Bytes()), 0) // tampered
	mu.Unlock()
	dir = filepath.Join(t.TempDir(), "bin")
	out2, err := install(dir)
	if err == nil || !strings.Contains(out2, "::error title=officectl install::checksum mismatch for "+archive) {
		t.Errorf("a tampered archive: %v\n%s", err, out2)
	}
	if _, err := os.Stat(filepath.Join(dir, "officectl")); err == nil {
		t.Error("a tampered archive was installed")
	}
	if out, err := exec.Command("bash", "testdata/ci/install.sh", "latest", dir).CombinedOutput(); err == nil || !strings.Contains(string(out), "not a release tag") {
		t.Errorf("version latest: %v\n%s", err, out)
	}
}

// TestActionFile: action.yml is a composite action with the inputs version
// (required) and command, uses no input it does not declare, and runs
// scripts that exist.
func TestActionFile(t *testing.T) {
	src, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Inputs map[string]struct {
			Required bool `yaml:"required"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				Uses string `yaml:"uses"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(src, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" || !a.Inputs["version"].Required || a.Inputs["command"].Required || len(a.Inputs) != 2 {
		t.Errorf("want a composite action with inputs version (required) and command: %+v", a)
	}
	for _, m := range regexp.MustCompile(`inputs\.([\w-]+)`).FindAllStringSubmatch(string(src), -1) {
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("action.yml uses inputs.%s, which it does not declare", m[1])
		}
	}
	var cached bool
	for _, s := range a.Runs.Steps {
		cached = cached || strings.HasPrefix(s.Uses, "actions/cache@")
		if strings.Contains(s.Run, "${{") {
			t.Errorf("a run script with a ${{ }} expression (pass values through env:): %q", s.Run)
		}
		for _, m := range regexp.MustCompile(`\$GITHUB_ACTION_PATH/([\w./-]+)`).FindAllStringSubmatch(s.Run, -1) {
			if _, err := os.Stat(m[1]); err != nil {
				t.Errorf("action.yml runs %s: %v", m[1], err)
			}
		}
	}
	if !cached {
		t.Error("action.yml does not cache the binary with actions/cache")
	}
}

// TestPreCommitHook: the hook runs `officectl validate` with flags that
// exist, and docs/install.md shows how to use it.
func TestPreCommitHook(t *testing.T) {
	src, err := os.ReadFile(".pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID       string   `yaml:"id"`
		Entry    string   `yaml:"entry"`
		Language string   `yaml:"language"`
		Args     []string `yaml:"args"`
		Files    string   `yaml:"files"`
		PassFile *bool    `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(src, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 {
		t.Fatalf("%d hooks, want 1", len(hooks))
	}
	h := hooks[0]
	if h.Entry != "officectl validate" || h.Language != "golang" || h.PassFile == nil || *h.PassFile {
		t.Errorf("hook %+v: want entry `officectl validate`, language golang, pass_filenames false (validate takes one folder)", h)
	}
	if _, err := regexp.Compile(h.Files); err != nil || !regexp.MustCompile(h.Files).MatchString("offices/berlin.yaml") {
		t.Errorf("files %q should match office files: %v", h.Files, err)
	}
	checkCommandLine(t, "pre-commit", append(strings.Fields(h.Entry)[1:], h.Args...))
	doc, err := os.ReadFile("docs/install.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "id: "+h.ID) {
		t.Errorf("docs/install.md does not show the pre-commit hook %s", h.ID)
	}
}
