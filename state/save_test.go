package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func sampleState() *State {
	s := New()
	t := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	s.Set("berlin", &Entry{Status: Created, ID: "5100000000000000", Name: "Berlin", Spec: sampleSpec(1),
		SpecSHA256: strings.Repeat("0f", 32), CreatedAt: &t})
	s.Set("munich", &Entry{Status: Pending, Name: "Munich", Spec: sampleSpec(2), StartedAt: &t})
	return s
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSaveSerialLineageModeBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "officectl.state")
	s := sampleState()
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	if s.Serial != 1 || !uuidV4.MatchString(s.Lineage) {
		t.Fatalf("after the first save: serial %d, lineage %q", s.Serial, s.Lineage)
	}
	lineage := s.Lineage
	first, _ := os.ReadFile(path)
	if _, err := os.Stat(path + ".backup"); !os.IsNotExist(err) {
		t.Errorf("a first save made a backup: %v", err)
	}

	s.Delete("munich")
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	if s.Serial != 2 || s.Lineage != lineage {
		t.Errorf("after the second save: serial %d lineage %q, want 2 and %q", s.Serial, s.Lineage, lineage)
	}
	second, _ := os.ReadFile(path)
	if backup, _ := os.ReadFile(path + ".backup"); !bytes.Equal(backup, first) {
		t.Errorf("the backup is not the previous state:\n%s", backup)
	}
	if !bytes.Equal(second, Encode(s)) {
		t.Errorf("the file is not Encode(s)")
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Serial != 2 || loaded.Lineage != lineage || !slices.Equal(loaded.Keys(), []string{"berlin"}) {
		t.Errorf("loaded %+v", loaded)
	}

	for _, p := range []string{path, path + ".backup"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"officectl.state", "officectl.state.backup"}) {
		t.Errorf("files after saves: %v", names)
	}
}

func TestSaveMakesMode0600(t *testing.T) {
	dir := t.TempDir()
	path := writeState(t, dir, `{"version": 1}`)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestSaveFailureBeforeRename stands for a crash between writing the new
// state and renaming it into place: the old state survives byte for byte,
// s is unchanged, and no temporary file is left.
func TestSaveFailureBeforeRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "officectl.state")
	s := sampleState()
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	if err := Save(path, s); err != nil { // now there is a backup too
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path)
	oldBackup, _ := os.ReadFile(path + ".backup")

	s.Set("hamburg", &Entry{Status: Pending, Name: "Hamburg"})
	crash := errors.New("simulated crash")
	var enc encoder
	err := save(path, s, &enc, saveHooks{beforeRename: func() error {
		// The new state is written and synced beside the old one.
		var tmp []string
		for _, n := range dirNames(t, dir) {
			if strings.HasPrefix(n, ".officectl.state.tmp-") {
				tmp = append(tmp, n)
			}
		}
		if len(tmp) != 1 {
			t.Errorf("temporary files before the rename: %v", tmp)
		}
		return crash
	}})
	if !errors.Is(err, crash) {
		t.Fatalf("save: %v, want the simulated crash", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
		t.Errorf("the old state did not survive:\n%s", got)
	}
	if got, _ := os.ReadFile(path + ".backup"); !bytes.Equal(got, oldBackup) {
		t.Errorf("the backup changed")
	}
	if s.Serial != 2 {
		t.Errorf("a failed save changed the serial to %d", s.Serial)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"officectl.state", "officectl.state.backup"}) {
		t.Errorf("files after a failed save: %v", names)
	}
	// The next save works and includes the change.
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	if loaded, _ := Load(path); loaded.Serial != 3 || loaded.Offices["hamburg"] == nil {
		t.Errorf("after the retry: %+v", loaded)
	}
}

func TestSaveRefusesInvalid(t *testing.T) {
	for name, change := range map[string]func(*State){
		"bad key":      func(s *State) { s.Set("Berlin", &Entry{Status: Pending, Name: "B"}) },
		"nil entry":    func(s *State) { s.Set("berlin", nil) },
		"no id":        func(s *State) { s.Offices["berlin"].ID = "" },
		"bad status":   func(s *State) { s.Offices["berlin"].Status = "done" },
		"bad spec":     func(s *State) { s.Offices["berlin"].Spec = json.RawMessage(`{"a":`) },
		"array spec":   func(s *State) { s.Offices["berlin"].Spec = json.RawMessage(`[]`) },
		"dup spec key": func(s *State) { s.Offices["berlin"].Spec = json.RawMessage(`{"a":1,"a":1}`) },
		"newer":        func(s *State) { s.Version = Version + 1 },
		"company":      func(s *State) { s.CompanyID = "acme" },
		"year 10000": func(s *State) {
			t := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
			s.Offices["berlin"].CreatedAt = &t
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "officectl.state")
			s := sampleState()
			if err := Save(path, s); err != nil {
				t.Fatal(err)
			}
			old, _ := os.ReadFile(path)
			change(s)
			if s.Validate() == nil {
				t.Error("Validate accepts it")
			}
			err := Save(path, s)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Save: %v, want ErrInvalid", err)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
				t.Error("a refused save changed the file")
			}
			if s.Serial != 1 {
				t.Errorf("a refused save changed the serial to %d", s.Serial)
			}
		})
	}
}

// TestSaveHoldsNoSecret: the state holds what officectl remembers of
// offices, never the API key it was given.
func TestSaveHoldsNoSecret(t *testing.T) {
	const key = "dp_live_SECRET_6c1f0e9a2b7d4c38"
	t.Setenv("DIALPAD_API_KEY", key)
	path := filepath.Join(t.TempDir(), "officectl.state")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Update(func(s *State) error {
		s.CompanyID = "4200000000000001"
		for k, e := range sampleState().Offices {
			s.Set(k, e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".lock"} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(key)) || bytes.Contains(data, []byte("SECRET")) {
			t.Errorf("%s holds the API key", p)
		}
	}
}

func TestValidKey(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	for _, k := range []string{"", "a", "0", "berlin", "berlin-2", "b_c", "-a", "_a", "A", "a.b", "a b", "é",
		strings.Repeat("a", 63), strings.Repeat("a", 64), "a\n", "ab-_09"} {
		if got, want := ValidKey(k), re.MatchString(k); got != want {
			t.Errorf("ValidKey(%q) = %v, want %v", k, got, want)
		}
	}
}

func TestNewUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		u, err := newUUID()
		if err != nil {
			t.Fatal(err)
		}
		if !uuidV4.MatchString(u) || seen[u] {
			t.Fatalf("newUUID() = %q", u)
		}
		seen[u] = true
	}
}

// TestSaveKilledBeforeRename kills (SIGKILL) a process in the middle of a
// save, after it wrote the new state beside the old one and before the
// rename: the old state and its backup survive byte for byte, and the next
// Open takes over the dead process's lock and removes its temporary file.
func TestSaveKilledBeforeRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "officectl.state")
	s := sampleState()
	for range 2 {
		if err := Save(path, s); err != nil {
			t.Fatal(err)
		}
	}
	old, _ := os.ReadFile(path)
	oldBackup, _ := os.ReadFile(path + ".backup")

	cmd := startSaver(t, "crash-save", path, "written")
	names := dirNames(t, dir)
	if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, ".officectl.state.tmp-") }) {
		t.Fatalf("no temporary file while the save is stopped: %v", names)
	}
	cmd.Process.Kill()
	cmd.Wait()

	if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
		t.Errorf("the state did not survive the kill:\n%s", got)
	}
	if got, _ := os.ReadFile(path + ".backup"); !bytes.Equal(got, oldBackup) {
		t.Errorf("the backup did not survive the kill")
	}
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after the kill: %v", err)
	}
	if haveFlock && (st.StaleLock() == nil || st.StaleLock().PID != cmd.Process.Pid) {
		t.Errorf("StaleLock() = %v, want the killed pid %d", st.StaleLock(), cmd.Process.Pid)
	}
	if got := st.State(); got.Serial != 2 || got.Offices["never"] != nil {
		t.Errorf("state after the kill: serial %d, keys %v", got.Serial, got.Keys())
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"officectl.state", "officectl.state.backup"}) {
		t.Errorf("files after Open and Close: %v", names)
	}
}

// TestSaveKilledAtRandom SIGKILLs a process that saves a growing state in
// a loop, at random moments, again and again: every time, the state on
// disk loads whole (old or new, never torn), its backup too, and its
// serial never goes back.
func TestSaveKilledAtRandom(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes: not in -short")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "officectl.state")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var serial int64
	for kill := 0; kill < 20; kill++ {
		cmd := startSaver(t, "save-loop", path, "saving")
		time.Sleep(time.Duration(rng.IntN(30_000)) * time.Microsecond)
		cmd.Process.Kill()
		cmd.Wait()

		s, err := Load(path)
		if err != nil {
			t.Fatalf("kill %d: the state does not load: %v", kill, err)
		}
		if s.Serial < serial {
			t.Fatalf("kill %d: serial went back from %d to %d", kill, serial, s.Serial)
		}
		serial = s.Serial
		if _, err := Load(path + ".backup"); err != nil && serial > 1 {
			t.Fatalf("kill %d: the backup does not load: %v", kill, err)
		}
	}
	t.Logf("20 kills, last serial %d", serial)
}

// startSaver starts this test binary as the helper process that saves the
// state at path (see TestMain), and returns once it has said ready. The
// process is killed, if it still runs, when the test ends.
func startSaver(t *testing.T, helper, path, ready string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "STATE_TEST_HELPER="+helper, "STATE_TEST_PATH="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	if line, err := bufio.NewReader(out).ReadString('\n'); line != ready+"\n" {
		t.Fatalf("helper %s: %q %v", helper, line, err)
	}
	return cmd
}
