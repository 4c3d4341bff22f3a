package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/spf13/pflag"

	"github.com/officectl/officectl/offices/officestest"
)

// TestSimPeopleFlags: --users N and --people FILE reach the simulator
// that officectl sim serves: it lists the N numbered users and the file's
// (--users 0: the file's only).
func TestSimPeopleFlags(t *testing.T) {
	people := filepath.Join(t.TempDir(), "people.json")
	if err := os.WriteFile(people, []byte(`{"users":[{"id":7,"emails":["anna@example.com"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"--users", "2", "--people", people}, 3},
		{[]string{"--users", "0", "--people", people}, 1},
		{[]string{"--users", "3"}, 3},
	} {
		fs := pflag.NewFlagSet("sim", pflag.ContinueOnError)
		f := addSimPeopleFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		opts := officestest.Options{Token: "k"}
		f.apply(&opts)
		if got := simUsers(t, opts); got != tc.want {
			t.Errorf("%v: the simulator has %d users, want %d", tc.args, got, tc.want)
		}
	}
}

// simUsers serves opts as officectl sim does and counts the users GET
// /api/v2/users lists.
func simUsers(t *testing.T, opts officestest.Options) int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- officestest.Run(ctx, "127.0.0.1:0", opts, pw)
		pw.Close()
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	br := bufio.NewReader(pr)
	line, err := br.ReadString('\n')
	go io.Copy(io.Discard, br) // the log of each request
	if err != nil {
		t.Fatal(err)
	}
	url := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).FindString(line)
	if url == "" {
		t.Fatalf("no URL in %q", line)
	}
	req, _ := http.NewRequest("GET", url+"/api/v2/users?limit=100", nil)
	req.Header.Set("Authorization", "Bearer k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}
