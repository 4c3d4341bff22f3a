package officestest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataFileKeepsGroups: a simulator started again on its data file
// holds the same departments, call centers and operators, and gives no
// id twice, deleted groups' included.
func TestDataFileKeepsGroups(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim.json")
	opts := Options{Token: token, DataFile: path}
	url, stop := runSim(t, "127.0.0.1:0", opts)
	c := hc{t, &TestServer{URL: url}}
	office := c.ok("POST", "/api/v2/offices", validOffice())["office"].(map[string]any)["id"].(string)
	dep := c.ok("POST", "/api/v2/departments", map[string]any{"office_id": office, "name": "Sales", "ring_seconds": 44})["id"].(string)
	cc := c.ok("POST", "/api/v2/callcenters", map[string]any{"office_id": office, "name": "Support"})["id"].(string)
	gone := c.ok("POST", "/api/v2/departments", map[string]any{"office_id": office, "name": "Gone"})["id"].(string)
	c.ok("DELETE", "/api/v2/departments/"+gone, nil)
	c.ok("POST", "/api/v2/callcenters/"+cc+"/operators", map[string]any{"user_id": FirstUserID + 4, "skill_level": 70, "role": "supervisor"})
	c.ok("POST", "/api/v2/offices/"+office+"/operators", map[string]any{"operator_id": FirstRoomID + 2, "operator_type": "room"})
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	url, stop = runSim(t, "127.0.0.1:0", opts)
	c = hc{t, &TestServer{URL: url}}
	if d := c.ok("GET", "/api/v2/departments/"+dep, nil); d["name"] != "Sales" || d["ring_seconds"] != "44" || d["id"] != dep {
		t.Errorf("department after a restart: %v", d)
	}
	c.fails("GET", "/api/v2/departments/"+gone, nil, 404, "not found")
	if got := c.ok("GET", "/api/v2/callcenters/"+cc+"/operators/"+str(FirstUserID+4)+"/skill", nil); got["skill_level"] != "70" {
		t.Errorf("skill after a restart: %v", got)
	}
	if rooms := c.ok("GET", "/api/v2/offices/"+office+"/operators", nil)["rooms"].([]any); len(rooms) != 1 {
		t.Errorf("office operators after a restart: %v", rooms)
	}
	next := c.ok("POST", "/api/v2/callcenters", map[string]any{"office_id": office, "name": "Later"})["id"].(string)
	if mustInt(t, next) <= mustInt(t, gone) {
		t.Errorf("new group got id %s; ids up to %s were given before", next, gone)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	head := `{"format":"officectl-sim","version":1,"next_id":9,"offices":[{"id":3,"name":"A"}],`
	for name, content := range map[string]string{
		"group id of an office": head + `"groups":[{"kind":"department","body":{"id":"3","office_id":"3","name":"D"}}]}`,
		"unknown kind":          head + `"groups":[{"kind":"room","body":{"id":"4","office_id":"3","name":"D"}}]}`,
		"group id too big":      head + `"groups":[{"kind":"callcenter","body":{"id":"9","office_id":"3","name":"D"}}]}`,
		"operators of nothing":  head + `"operators":[{"group_id":5,"operators":[{"type":"user","id":1,"role":"operator"}]}]}`,
		"operator type":         head + `"operators":[{"group_id":3,"operators":[{"type":"bot","id":1,"role":"operator"}]}]}`,
	} {
		bad := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		err := Run(context.Background(), "127.0.0.1:0", Options{DataFile: bad}, nil)
		if err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: Run: %v", name, err)
		}
		if b, _ := os.ReadFile(bad); !bytes.Equal(b, []byte(content)) {
			t.Errorf("%s: the data file was changed", name)
		}
	}
}
