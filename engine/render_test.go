package engine

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/render"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestRenderTextNoColorEnv(t *testing.T) {
	ds, st := enginetest.AllActions()
	p := enginetest.MustPlan(t, ds, st)
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	for _, noColor := range []string{"", "1"} {
		var b bytes.Buffer
		opts := render.TextOptions{Color: render.ColorEnabled(devNull, env(map[string]string{"NO_COLOR": noColor}))}
		if err := render.RenderText(&b, p, opts); err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Contains(b.String(), "\x1b["), noColor == ""; got != want {
			t.Errorf("NO_COLOR=%q: escape sequences in output = %v, want %v", noColor, got, want)
		}
	}
}
