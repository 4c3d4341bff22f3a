package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func openStore(t *testing.T, path string) *Store {
	t.Helper()
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestStoreConcurrentUpdates: 50 goroutines record an office each; every
// Update returns only once its change is on disk, all 50 are in the final
// file, and the saves were fewer than the updates (group commit).
func TestStoreConcurrentUpdates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	st := openStore(t, path)
	const n = 50
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("office-%02d", i)
			<-start
			err := st.Update(func(s *State) error {
				s.Set(key, &Entry{Status: Pending, Name: key, Spec: sampleSpec(i)})
				return nil
			})
			if err != nil {
				t.Error(err)
				return
			}
			// Durable on return: the file on disk has the change.
			s, err := Load(path)
			if err != nil {
				t.Error(err)
				return
			}
			if _, ok := s.Get(key); !ok {
				t.Errorf("%s is not in the file after its Update returned", key)
			}
		})
	}
	close(start)
	wg.Wait()
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Offices) != n {
		t.Errorf("%d offices in the file, want %d", len(s.Offices), n)
	}
	st.mu.Lock()
	saves := st.saves
	st.mu.Unlock()
	if saves >= n {
		t.Errorf("%d saves for %d concurrent updates: none coalesced", saves, n)
	}
	if s.Serial != int64(saves) {
		t.Errorf("serial %d after %d saves", s.Serial, saves)
	}
	t.Logf("%d updates, %d saves", n, saves)
	if got := st.State(); got.Serial != s.Serial || got.Lineage != s.Lineage || len(got.Offices) != n {
		t.Errorf("Store.State() = serial %d lineage %q, %d offices", got.Serial, got.Lineage, len(got.Offices))
	}
}

func TestStoreUpdateWriteAhead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	st := openStore(t, path)
	now := time.Now()
	for i, change := range []func(*State) error{
		func(s *State) error {
			s.Set("berlin", &Entry{Status: Pending, Name: "Berlin", StartedAt: &now})
			return nil
		},
		func(s *State) error {
			e, _ := s.Get("berlin")
			e.Status, e.ID, e.CreatedAt = Created, "5100", &now
			return nil
		},
	} {
		if err := st.Update(change); err != nil {
			t.Fatal(err)
		}
		s, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		want := []Status{Pending, Created}[i]
		if e, ok := s.Get("berlin"); !ok || e.Status != want || s.Serial != int64(i+1) {
			t.Errorf("after update %d the file has %+v (serial %d), want status %s", i+1, e, s.Serial, want)
		}
	}
}

func TestStoreUpdateError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	st := openStore(t, path)
	boom := errors.New("boom")
	if err := st.Update(func(*State) error { return boom }); err != boom {
		t.Fatalf("Update: %v, want fn's error", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a failed fn saved: %v", err)
	}
}

// TestStoreSaveFailure: a save that fails before its rename fails the
// Update, leaves the old file, and a later Update saves the change.
func TestStoreSaveFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	st := openStore(t, path)
	set := func(key string) func(*State) error {
		return func(s *State) error {
			s.Set(key, &Entry{Status: Pending, Name: key})
			return nil
		}
	}
	if err := st.Update(set("a")); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path)
	crash := errors.New("simulated crash")
	st.hooks.beforeRename = func() error { return crash }
	if err := st.Update(set("b")); !errors.Is(err, crash) {
		t.Fatalf("Update: %v, want the crash", err)
	}
	if got, _ := os.ReadFile(path); string(got) != string(old) {
		t.Error("a failed save changed the file")
	}
	st.hooks.beforeRename = nil
	if err := st.Update(set("c")); err != nil {
		t.Fatal(err)
	}
	s, _ := Load(path)
	if len(s.Offices) != 3 || s.Serial != 2 {
		t.Errorf("after recovery: serial %d, keys %v", s.Serial, s.Keys())
	}
}

func TestStoreInvalidUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	st := openStore(t, path)
	err := st.Update(func(s *State) error {
		s.Set("Not A Key", &Entry{Status: Pending, Name: "x"})
		return nil
	})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Update with a bad key: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("an invalid state was saved")
	}
}

func TestStoreLocksAndCloses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	st := openStore(t, path)
	if _, err := Open(path, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := st.Update(func(*State) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close: %v", err)
	}
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock file after Close: %v", err)
	}
	st2 := openStore(t, path)
	st2.Close()
}

func TestStoreStateIsACopy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	st := openStore(t, path)
	if err := st.Update(func(s *State) error {
		s.Set("berlin", &Entry{Status: Pending, Name: "Berlin", Spec: []byte(`{"a":1}`)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	snap := st.State()
	snap.Offices["berlin"].Name = "changed"
	snap.Offices["berlin"].Spec[2] = 'b'
	snap.Delete("berlin")
	e, ok := st.Entry("berlin")
	if !ok || e.Name != "Berlin" || string(e.Spec) != `{"a":1}` {
		t.Errorf("changing a snapshot changed the store: %+v", e)
	}
}

// TestStoreCacheSeesChanges: the Store's encoder reuses what it encoded
// last time only for entries that did not change, even when a change is
// made in place.
func TestStoreCacheSeesChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	st := openStore(t, path)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	changes := []func(*State){
		func(s *State) {
			for k, e := range bigState(30).Offices {
				s.Set(k, e)
			}
		},
		func(s *State) { s.Offices["office-00001"].Spec[10] = 'X' },
		func(s *State) { s.Offices["office-00002"].Name = "Renamed" },
		func(s *State) { t := t0.Add(time.Second); s.Offices["office-00003"].CreatedAt = &t },
		func(s *State) { *s.Offices["office-00004"].CreatedAt = t0.Add(time.Hour) },
		func(s *State) { s.Offices["office-00005"].UpdatedAt = &t0 },
		func(s *State) { s.Offices["office-00007"].SpecSHA256 = "" },
		func(s *State) { s.Offices["office-00008"].Spec = nil },
		func(s *State) { s.Delete("office-00010") },
		func(s *State) { s.Set("office-00010", &Entry{Status: Pending, Name: "Back"}) },
		func(s *State) { s.Offices["office-00009"].Status, s.Offices["office-00009"].ID = Pending, "" },
	}
	for i, change := range changes {
		if err := st.Update(func(s *State) error { change(s); return nil }); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
		got, _ := os.ReadFile(path)
		want := Encode(st.State())
		if string(got) != string(want) {
			t.Fatalf("after change %d the file is not Encode(state)", i)
		}
	}
}

// BenchmarkStoreUpdate is one Update of a Store holding 1,000 or 10,000
// offices with ~1 KB specs: encode, write, fsync, backup, rename.
func BenchmarkStoreUpdate(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchmarkStoreUpdate(b, n) })
	}
}

func benchmarkStoreUpdate(b *testing.B, n int) {
	path := filepath.Join(b.TempDir(), "officectl.state")
	if err := Save(path, bigState(n)); err != nil {
		b.Fatal(err)
	}
	st, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		key := fmt.Sprintf("office-%05d", i%n)
		i++
		if err := st.Update(func(s *State) error {
			e := s.Offices[key]
			e.Status, e.ID = Created, fmt.Sprint(7000+i)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEnsureSaved: a store opened on a missing file writes it on
// EnsureSaved; an existing file is not rewritten (its serial stays).
func TestEnsureSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureSaved(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	first, err := Load(path)
	if err != nil {
		t.Fatalf("no state file after EnsureSaved: %v", err)
	}
	if first.Serial != 1 {
		t.Errorf("serial %d, want 1", first.Serial)
	}
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.EnsureSaved(); err != nil {
		t.Fatal(err)
	}
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if again.Serial != 1 {
		t.Errorf("serial %d after EnsureSaved on an existing file, want 1", again.Serial)
	}
}
