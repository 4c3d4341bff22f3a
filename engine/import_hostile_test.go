package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
)

// TestHostileAPIImportEndlessListing: import stops with a clear error when
// the listing does not end; nothing is adopted.
func TestHostileAPIImportEndlessListing(t *testing.T) {
	t.Parallel()
	url, _ := enginetest.EndlessListing(t)
	env := enginetest.NewEnvAt(t, nil, url, nil)
	_, err := Import(context.Background(), load.NewConfig(enginetest.Numbered(3)), ImportOptions{API: env.Client, Store: env.Store})
	if !errors.Is(err, offices.ErrListTooLong) {
		t.Fatalf("import: %v, want ErrListTooLong", err)
	}
	if n := len(env.Store.State().Offices); n != 0 {
		t.Errorf("%d state entries after the listings failed, want none", n)
	}
}

// TestHostileAPIImportBadID: import records no office whose listed id is
// not a positive int64; the others are adopted and the state saves.
func TestHostileAPIImportBadID(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items":[{"id":"-9007199254740991","name":"Office 000","state":"active"},{"id":"12","name":"Office 001","state":"active"}]}`)
	}))
	t.Cleanup(srv.Close)
	env := enginetest.NewEnvAt(t, nil, srv.URL, nil)
	res, err := Import(context.Background(), load.NewConfig(enginetest.Numbered(2)), ImportOptions{API: env.Client, Store: env.Store})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if len(res.Adopted) != 1 || res.Adopted[0].Key != "office-001" || len(res.Conflicts) != 1 || res.Conflicts[0].Key != "office-000" {
		t.Fatalf("adopted %+v, conflicts %+v; want office-001 adopted, office-000 a conflict", res.Adopted, res.Conflicts)
	}
	if _, ok := env.Store.Entry("office-000"); ok {
		t.Error("office-000 recorded")
	}
}
