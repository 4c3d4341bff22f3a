package officestest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/officectl/officectl/offices"
)

// This file holds the simulator's data file (`officectl sim --data FILE`):
// its offices and the next id, so that a simulator started again holds
// the same offices and never gives an id twice.

// DataFormat names the simulator's data files.
const DataFormat = "officectl-sim"

// maxDataFile bounds a data file read back (about 100,000 offices).
const maxDataFile = 256 << 20

// data is the content of a data file.
type data struct {
	// Format is DataFormat.
	Format string `json:"format"`
	// Version is 1.
	Version int `json:"version"`
	// NextID is the id the next office created gets: above every id the
	// simulator ever gave, deleted offices' included.
	NextID int64 `json:"next_id"`
	// Offices by ascending id.
	Offices []offices.Live `json:"offices"`
	// Groups are the departments and call centers, by ascending id.
	Groups []dataGroup `json:"groups,omitempty"`
	// Operators are the memberships of offices and groups.
	Operators []dataMembers `json:"operators,omitempty"`
}

// MarshalData returns the server's offices and next id as a data file.
func (s *Server) MarshalData() ([]byte, error) {
	s.mu.Lock()
	d := data{Format: DataFormat, Version: 1, NextID: s.nextID, Offices: make([]offices.Live, 0, len(s.offices))}
	for _, id := range s.sortedIDs() {
		d.Offices = append(d.Offices, cloneLive(*s.offices[id]))
	}
	d.Groups, d.Operators = s.groupsData()
	s.mu.Unlock()
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// LoadData replaces the server's offices and next id with those of a
// data file. It checks the file first and changes nothing when it is not
// a data file, an id is not positive or appears twice, or next_id is not
// above every id.
func (s *Server) LoadData(b []byte) error {
	var d data
	if err := decodeData(b, &d); err != nil {
		return fmt.Errorf("not a simulator data file: %v", err)
	}
	if d.Format != DataFormat || d.Version != 1 {
		return fmt.Errorf("not a simulator data file: format %q version %d, want %q version 1", d.Format, d.Version, DataFormat)
	}
	offs := make(map[int64]*offices.Live, len(d.Offices))
	for i := range d.Offices {
		l := d.Offices[i]
		switch {
		case l.ID <= 0:
			return fmt.Errorf("offices[%d] (%q): id %d is not positive", i, l.Name, l.ID)
		case offs[l.ID] != nil:
			return fmt.Errorf("offices[%d] (%q): id %d appears twice", i, l.Name, l.ID)
		case l.ID >= d.NextID:
			return fmt.Errorf("offices[%d] (%q): id %d is not below next_id %d", i, l.Name, l.ID, d.NextID)
		}
		l.OfficeID = l.ID
		offs[l.ID] = &l
	}
	if d.NextID <= 0 {
		return fmt.Errorf("next_id %d is not positive", d.NextID)
	}
	officeIDs := map[int64]bool{}
	for id := range offs {
		officeIDs[id] = true
	}
	grp, err := loadGroupsData(d.Groups, d.Operators, officeIDs, d.NextID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	grp.users, grp.rooms = s.grp.users, s.grp.rooms
	s.offices, s.nextID, s.grp = offs, d.NextID, grp
	return nil
}

// loadDataFile loads path into s; a missing file is an empty simulator.
// The file must be a regular file (see readFile) of at most maxDataFile.
func loadDataFile(s *Server, path string) error {
	b, err := readFile(path, maxDataFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("simulator data %s: %w", path, err)
	}
	if err := s.LoadData(b); err != nil {
		return fmt.Errorf("simulator data %s: %w (move it away to start empty)", path, err)
	}
	return nil
}

// saveDataFile writes s's data to path atomically: a temporary file in
// the same folder, synced, renamed over path, then the folder synced. A
// crash leaves the old file or the new one, never a torn one.
func saveDataFile(s *Server, path string) error {
	b, err := s.MarshalData()
	if err != nil {
		return err
	}
	if err := checkReplaceable(path); err != nil {
		return fmt.Errorf("simulator data %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("simulator data: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("simulator data: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("simulator data: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("simulator data: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("simulator data: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: not every file system syncs folders
		d.Close()
	}
	return nil
}

// changed tells the saver, if any, that the offices changed; s.mu is held.
func (s *Server) changed() {
	if s.notify == nil {
		return
	}
	select {
	case s.notify <- struct{}{}:
	default: // a save is already due and will see this change
	}
}

// sortedKeys returns m's keys in ascending order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// dataFileNote is how Run's first line names the data file.
func dataFileNote(path string) string {
	if path == "" {
		return ""
	}
	return ", data " + strings.ReplaceAll(path, "\n", " ")
}
