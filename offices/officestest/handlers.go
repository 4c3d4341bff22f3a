package officestest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/officectl/officectl/offices"
)

// maxRequestBody bounds a request body.
const maxRequestBody = 1 << 20

// route runs the endpoint of r.
func (s *Server) route(r *http.Request) result {
	p := strings.TrimSuffix(r.URL.Path, "/")
	if res, ok := s.routeGroups(r, p); ok {
		return res
	}
	switch {
	case p == "/api/v2/offices":
		switch r.Method {
		case http.MethodGet:
			return s.listOffices(r)
		case http.MethodPost:
			return s.createOffice(r)
		}
		return methodNotAllowed(r, "GET, POST")
	case p == "/api/v2/company":
		if r.Method == http.MethodGet {
			return s.company()
		}
		return methodNotAllowed(r, "GET")
	case strings.HasPrefix(p, "/api/v2/offices/"):
		rest := strings.TrimPrefix(p, "/api/v2/offices/")
		idText, sub, _ := strings.Cut(rest, "/")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			return errorResult(http.StatusBadRequest, "badRequest", fmt.Sprintf("Invalid office id %q: must be an int64", idText))
		}
		switch {
		case sub == "" && r.Method == http.MethodGet:
			return s.getOffice(id)
		case sub == "":
			return methodNotAllowed(r, "GET")
		case sub == "e911" && r.Method == http.MethodGet:
			return s.getE911(id)
		case sub == "e911" && r.Method == http.MethodPut:
			return s.updateE911(id, r)
		case sub == "e911":
			return methodNotAllowed(r, "GET, PUT")
		}
	}
	return errorResult(http.StatusNotFound, "notFound", fmt.Sprintf("No such endpoint: %s %s", r.Method, r.URL.Path))
}

func methodNotAllowed(r *http.Request, allowed string) result {
	return errorResult(http.StatusMethodNotAllowed, "methodNotAllowed",
		fmt.Sprintf("Method %s not allowed on %s (allowed: %s)", r.Method, r.URL.Path, allowed))
}

func notFound(id int64) result {
	return errorResult(http.StatusNotFound, "notFound", fmt.Sprintf("Office %d not found", id))
}

// listOffices serves GET /api/v2/offices: offices by ascending id, a page
// at a time; the cursor is an opaque token naming the last id returned.
func (s *Server) listOffices(r *http.Request) result {
	q := r.URL.Query()
	activeOnly := false
	if v := q.Get("active_only"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errorResult(http.StatusBadRequest, "badRequest", fmt.Sprintf("Invalid active_only %q: must be true or false", v))
		}
		activeOnly = b
	}
	after, bad := cursorAfter(q)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := func(id int64) bool { return !activeOnly || s.offices[id].State == "active" }
	return result{http.StatusOK, pageOf(s.sortedIDs(), after, s.opts.PageSize, keep, func(id int64) offices.Live {
		l := cloneLive(*s.offices[id])
		if s.opts.ListWithoutE911 {
			l.E911Address = nil
		}
		return l
	})}
}

func (s *Server) getOffice(id int64) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.offices[id]
	if !ok {
		return notFound(id)
	}
	return result{http.StatusOK, cloneLive(*l)}
}

func (s *Server) company() result {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.opts.Company
	c.OfficeCount = int64(len(s.offices))
	return result{http.StatusOK, c}
}

// readBody reads a JSON request body.
func readBody(r *http.Request) ([]byte, *result) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		res := errorResult(http.StatusBadRequest, "badRequest", "Reading the request body: "+err.Error())
		return nil, &res
	}
	if len(b) > maxRequestBody {
		res := errorResult(http.StatusRequestEntityTooLarge, "badRequest", "Request body too large")
		return nil, &res
	}
	return b, nil
}

// createOffice serves POST /api/v2/offices.
func (s *Server) createOffice(r *http.Request) result {
	b, bad := readBody(r)
	if bad != nil {
		return *bad
	}
	o, errs := validateCreate(b)
	if len(errs) > 0 {
		return errorResult(http.StatusBadRequest, "badRequest", errs...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID
	s.nextID++
	l := liveFromOffice(id, o)
	s.offices[id] = &l
	s.stats.Created++
	s.changed()
	plan := offices.Plan{
		Balance: "0.00", TalkLines: 1, NextBillingDate: s.now().AddDate(0, 1, 0).Unix(),
		PPUAddress: &o.BillingAddress,
	}
	out := cloneLive(l)
	return result{http.StatusOK, offices.OfficeUpdateResponse{Office: &out, Plan: &plan}}
}

// liveFromOffice is the office the API would hold after creating o.
func liveFromOffice(id int64, o offices.Office) offices.Live {
	hours := func(h []string, def ...string) []string {
		if h == nil {
			return def
		}
		return append([]string{}, h...)
	}
	ring := int64(30)
	if o.RingSeconds != nil {
		ring = *o.RingSeconds
	}
	first := o.FirstAction
	if first == "" {
		first = "operators"
	}
	l := offices.Live{
		AvailabilityStatus: "open",
		Country:            strings.ToLower(o.Country),
		FirstAction:        first,
		FridayHours:        hours(o.FridayHours, "08:00", "18:00"),
		ID:                 id,
		MondayHours:        hours(o.MondayHours, "08:00", "18:00"),
		Name:               o.Name,
		NoOperatorsAction:  o.NoOperatorsAction,
		OfficeID:           id,
		OfficeSettings:     &offices.OfficeSettings{BridgedTargetRecordingAllowed: true},
		RingSeconds:        &ring,
		RoutingOptions:     o.RoutingOptions,
		SaturdayHours:      hours(o.SaturdayHours),
		State:              "active",
		SundayHours:        hours(o.SundayHours),
		ThursdayHours:      hours(o.ThursdayHours, "08:00", "18:00"),
		Timezone:           o.Timezone,
		TuesdayHours:       hours(o.TuesdayHours, "08:00", "18:00"),
		WednesdayHours:     hours(o.WednesdayHours, "08:00", "18:00"),
	}
	if o.MainlineNumber != "" {
		l.PhoneNumbers = []string{o.MainlineNumber}
	}
	if o.E911Address != nil {
		l.E911Address = liveE911(*o.E911Address)
	}
	return l
}

func liveE911(a offices.E911Address) *offices.LiveE911 {
	e := offices.LiveE911(a)
	e.Country = strings.ToLower(e.Country)
	return &e
}

func (s *Server) getE911(id int64) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.offices[id]
	if !ok {
		return notFound(id)
	}
	e := offices.LiveE911{}
	if l.E911Address != nil {
		e = *l.E911Address
	}
	return result{http.StatusOK, e}
}

// updateE911 serves PUT /api/v2/offices/{id}/e911.
func (s *Server) updateE911(id int64, r *http.Request) result {
	b, bad := readBody(r)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	_, ok := s.offices[id]
	s.mu.Unlock()
	if !ok {
		return notFound(id)
	}
	u, errs := validateE911Update(b)
	if len(errs) > 0 {
		return errorResult(http.StatusBadRequest, "badRequest", errs...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.offices[id]
	if !ok {
		return notFound(id)
	}
	l.E911Address = liveE911(u.E911Address)
	s.changed()
	return result{http.StatusOK, *l.E911Address}
}

// decodeStrict decodes b into v, refusing unknown fields.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
