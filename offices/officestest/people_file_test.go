package officestest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPeopleFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "people.json")
	people := `{"users":[{"id":7,"emails":["anna@example.com"],"first_name":"Anna"}],"rooms":[{"id":8,"name":"Lobby"}]}`
	if err := os.WriteFile(path, []byte(people), 0o600); err != nil {
		t.Fatal(err)
	}
	url, stop := runSim(t, "127.0.0.1:0", Options{Token: token, PeopleFile: path, Users: 2})
	c := hc{t, &TestServer{URL: url}}
	items := c.ok("GET", "/api/v2/users?email=Anna@example.com", nil)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != "7" {
		t.Errorf("anna: %v", items)
	}
	if n := len(c.ok("GET", "/api/v2/users", nil)["items"].([]any)); n != 3 {
		t.Errorf("%d users, want the 2 numbered and anna", n)
	}
	office := c.ok("POST", "/api/v2/offices", validOffice())["office"].(map[string]any)["id"].(string)
	c.ok("POST", "/api/v2/offices/"+office+"/operators", map[string]any{"operator_id": 8, "operator_type": "room"})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"not json":   "[",
		"bad email":  `{"users":[{"id":1,"emails":["anna"]}]}`,
		"same email": `{"users":[{"id":1,"emails":["a@example.com"]},{"id":2,"emails":["a@example.com"]}]}`,
		"same id":    `{"users":[{"id":1,"emails":[]}],"rooms":[{"id":1,"name":"R"}]}`,
		"unknown":    `{"people":[]}`,
	} {
		bad := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := Run(context.Background(), "127.0.0.1:0", Options{PeopleFile: bad}, nil); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: Run: %v", name, err)
		}
	}
}
