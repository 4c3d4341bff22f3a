package main

import (
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestReleaseCallsActionWorkflow: the release workflow calls action.yaml
// once goreleaser has published (a release published with GITHUB_TOKEN
// triggers no other workflow), and action.yaml can be called with the
// version to install.
func TestReleaseCallsActionWorkflow(t *testing.T) {
	var release struct {
		Jobs map[string]struct {
			Needs any               `yaml:"needs"`
			Uses  string            `yaml:"uses"`
			With  map[string]string `yaml:"with"`
		} `yaml:"jobs"`
	}
	var action struct {
		On map[string]struct {
			Inputs map[string]struct {
				Type     string `yaml:"type"`
				Required bool   `yaml:"required"`
			} `yaml:"inputs"`
		} `yaml:"on"`
	}
	for path, v := range map[string]any{".github/workflows/release.yaml": &release, ".github/workflows/action.yaml": &action} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(src, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	called := false
	for name, j := range release.Jobs {
		if j.Uses != "./.github/workflows/action.yaml" {
			continue
		}
		called = true
		if j.Needs != "release" || j.With["version"] == "" {
			t.Errorf("release.yaml job %s: needs %v, with %v: want needs: release and the version of the tag", name, j.Needs, j.With)
		}
	}
	if !called {
		t.Error("release.yaml has no job that uses ./.github/workflows/action.yaml")
	}
	call, ok := action.On["workflow_call"]
	if in := call.Inputs["version"]; !ok || in.Type != "string" || !in.Required {
		t.Errorf("action.yaml: want on.workflow_call with a required string input version, got %+v (present %v)", call, ok)
	}
}
