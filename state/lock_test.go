package state

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets the test binary play a second process that takes the
// lock (the helper-process pattern of os/exec's tests): with
// STATE_TEST_HELPER set it runs that helper instead of the tests.
func TestMain(m *testing.M) {
	switch os.Getenv("STATE_TEST_HELPER") {
	case "":
		os.Exit(m.Run())
	case "hold":
		os.Exit(helperHold(os.Getenv("STATE_TEST_PATH")))
	case "crash-save":
		os.Exit(helperCrashSave(os.Getenv("STATE_TEST_PATH")))
	case "save-loop":
		os.Exit(helperSaveLoop(os.Getenv("STATE_TEST_PATH")))
	case "contend":
		n, _ := strconv.Atoi(os.Getenv("STATE_TEST_N"))
		os.Exit(helperContend(os.Getenv("STATE_TEST_PATH"), os.Getenv("STATE_TEST_LOG"), n))
	default:
		fmt.Fprintln(os.Stderr, "unknown STATE_TEST_HELPER")
		os.Exit(2)
	}
}

// helperHold takes the lock, says "locked", holds it until its stdin
// closes, then releases it.
func helperHold(path string) int {
	l, err := Acquire(path, 0)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	if err := l.Release(); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	return 0
}

// helperSaveLoop opens the store and saves a growing state until it is
// killed, saying "saving" once the first save is done.
func helperSaveLoop(path string) int {
	st, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := 0; ; i++ {
		err := st.Update(func(s *State) error {
			key := fmt.Sprintf("office-%06d", i)
			s.Set(key, &Entry{Status: Created, ID: strconv.Itoa(5100000000000000 + i), Name: "Office " + key,
				SpecSHA256: strings.Repeat("0f", 32), Spec: sampleSpec(i), CreatedAt: &at})
			return nil
		})
		if err != nil {
			fmt.Println("error:", err)
			return 1
		}
		if i == 0 {
			fmt.Println("saving")
		}
	}
}

// helperCrashSave opens the store and updates it, but stops its save
// between writing the new state and renaming it into place, says
// "written", and waits there to be killed.
func helperCrashSave(path string) int {
	st, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	st.hooks.beforeRename = func() error {
		fmt.Println("written")
		select {}
	}
	st.Update(func(s *State) error {
		s.Set("never", &Entry{Status: Pending, Name: "Never"})
		return nil
	})
	return 1
}

// helperContend takes and releases the lock n times, logging "+PID" when
// it has it and "-PID" before it lets go.
func helperContend(path, log string, n int) int {
	pid := strconv.Itoa(os.Getpid())
	for range n {
		l, err := Acquire(path, time.Minute)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		appendLine(log, "+"+pid)
		time.Sleep(time.Millisecond)
		appendLine(log, "-"+pid)
		if err := l.Release(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

func appendLine(path, line string) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		panic(err)
	}
	f.WriteString(line + "\n")
	f.Close()
}

// holder is a child process holding the lock of a state.
type holder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

// startHolder starts a child process that takes the lock of path and
// waits until it holds it.
func startHolder(t *testing.T, path string) *holder {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "STATE_TEST_HELPER=hold", "STATE_TEST_PATH="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &holder{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := h.out.ReadString('\n')
	if line != "locked\n" {
		t.Fatalf("helper: %q, %v", line, err)
	}
	return h
}

// release makes the child release the lock and exit.
func (h *holder) release(t *testing.T) {
	t.Helper()
	h.stdin.Close()
	if err := h.cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
}

func TestLockHeldByOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	h := startHolder(t, path)

	start := time.Now()
	_, err := Acquire(path, 0)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Acquire while another process holds the lock: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Acquire with no timeout took %v", d)
	}
	var le *LockedError
	if !errors.As(err, &le) || le.Holder == nil {
		t.Fatalf("no holder in %v", err)
	}
	host, _ := os.Hostname()
	if le.Holder.PID != h.cmd.Process.Pid || le.Holder.Host != host || time.Since(le.Holder.StartedAt) > time.Minute {
		t.Errorf("holder %+v, want pid %d on %s, now", le.Holder, h.cmd.Process.Pid, host)
	}
	want := fmt.Sprintf("%s: state locked by pid %d on host %s since %s; wait for it to finish or pass --lock-timeout",
		path, h.cmd.Process.Pid, host, le.Holder.StartedAt.Format(time.RFC3339))
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant\n%s", err, want)
	}

	start = time.Now()
	_, err = Acquire(path, 300*time.Millisecond)
	if d := time.Since(start); !errors.Is(err, ErrLocked) || d < 300*time.Millisecond {
		t.Errorf("Acquire with a timeout: %v after %v", err, d)
	}
	if !strings.Contains(err.Error(), "still locked after 300ms") {
		t.Errorf("error does not say how long it waited: %v", err)
	}

	// Neither failed attempt disturbed the holder's lock file.
	if info := lockFileInfo(t, path); info.PID != h.cmd.Process.Pid {
		t.Errorf("lock file now names pid %d", info.PID)
	}
	h.release(t)
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("the lock file outlived its release: %v", err)
	}
	l, err := Acquire(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if l.Stale != nil {
		t.Errorf("a released lock was taken as stale: %v", l.Stale)
	}
	l.Release()
}

func lockFileInfo(t *testing.T, path string) LockInfo {
	t.Helper()
	f, err := os.Open(path + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info := readLockInfo(f)
	if info == nil {
		t.Fatal("unreadable lock file")
	}
	return *info
}

func TestLockWaitsForRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	h := startHolder(t, path)
	go func() {
		time.Sleep(300 * time.Millisecond)
		h.stdin.Close()
	}()
	start := time.Now()
	l, err := Acquire(path, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("got the lock after %v, before the holder let go", d)
	}
	if info := lockFileInfo(t, path); info.PID != os.Getpid() {
		t.Errorf("lock file names pid %d, want ours", info.PID)
	}
}

// TestLockStaleAfterKill: a holder killed with SIGKILL leaves its lock file,
// but the kernel drops its flock, so the next Acquire takes over at once.
func TestLockStaleAfterKill(t *testing.T) {
	if !haveFlock {
		t.Skip("no flock: a stale lock file is not detected")
	}
	path := filepath.Join(t.TempDir(), "officectl.state")
	h := startHolder(t, path)
	if err := h.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	h.cmd.Wait()
	if _, err := os.Stat(path + ".lock"); err != nil {
		t.Fatalf("the killed holder's lock file is gone: %v", err)
	}
	l, err := Acquire(path, 0)
	if err != nil {
		t.Fatalf("Acquire after the holder was killed: %v", err)
	}
	defer l.Release()
	if l.Stale == nil || l.Stale.PID != h.cmd.Process.Pid {
		t.Errorf("Stale = %v, want the killed pid %d", l.Stale, h.cmd.Process.Pid)
	}
	if info := lockFileInfo(t, path); info.PID != os.Getpid() {
		t.Errorf("lock file names pid %d, want ours", info.PID)
	}
}

// TestLockExcludesProcesses runs processes that take and release the lock
// over and over, logging when they hold it: no two ever hold it at once.
func TestLockExcludesProcesses(t *testing.T) {
	dir := t.TempDir()
	path, log := filepath.Join(dir, "officectl.state"), filepath.Join(dir, "log")
	const procs, rounds = 4, 25
	var wg sync.WaitGroup
	for range procs {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "STATE_TEST_HELPER=contend", "STATE_TEST_PATH="+path,
			"STATE_TEST_LOG="+log, "STATE_TEST_N="+strconv.Itoa(rounds))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := cmd.Wait(); err != nil {
				t.Errorf("contender: %v", err)
			}
		})
	}
	wg.Wait()
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(data))
	if len(lines) != 2*procs*rounds {
		t.Fatalf("%d log lines, want %d", len(lines), 2*procs*rounds)
	}
	for i := 0; i < len(lines); i += 2 {
		in, out := lines[i], lines[i+1]
		if in[0] != '+' || out != "-"+in[1:] {
			t.Fatalf("line %d: %s then %s: two processes held the lock at once", i+1, in, out)
		}
	}
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
}

func TestLockSameProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	l1, err := Acquire(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(path, 0); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Acquire: %v", err)
	}
	if err := l1.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l1.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	l2, err := Acquire(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := l2.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestLockFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "officectl.state")
	l, err := Acquire(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	fi, err := os.Stat(path + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file mode %v", fi.Mode().Perm())
	}
}

// TestLockRemovedFileIsNotTheLock replays, step by step, the race that
// tryLock guards against: a process opens the lock file, the holder
// releases it (removing the file) and a third process takes a new one;
// the first then gets the flock of the removed file, which must not count.
func TestLockRemovedFileIsNotTheLock(t *testing.T) {
	if !haveFlock {
		t.Skip("no flock")
	}
	path := filepath.Join(t.TempDir(), "officectl.state")
	l1, err := Acquire(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	late, err := os.OpenFile(path+".lock", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	l1.Release()
	l2, err := Acquire(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Release()
	if ok, err := lockFile(late, false); !ok || err != nil {
		t.Fatalf("flock of the removed file: %v %v", ok, err)
	}
	if isFileAt(late, path+".lock") {
		t.Error("the removed lock file is taken for the current one")
	}
}
